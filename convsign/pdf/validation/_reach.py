"""Whether an object is reached by the same paths in two revisions, without walking them.

pyHanko judges a rewritten object by every path that reaches it in the base revision. Walking
those paths in every signed revision is costly (a page is reached from each structure element
that names it). The paths to an object X can differ between revisions a < b only if a reference
on the way changed: a reference added between a and b whose target is X or an ancestor of X in
b, or a reference removed whose target is X or reaches X in a. Each revision's added and removed
references are computed once (the objects it writes, compared with their previous state); the
ancestors in b are noted by the difference analysis from its reference index
(`_usages.EdgeIndex`) while that index stands at b; the reach in a is a bounded forward search.
Unsure means "different".
"""

from __future__ import annotations

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

from ._usages import EdgeIndex, references_in
from ._walk import Trees

Ref = generic.Reference
_SEARCH_LIMIT = 5000  # objects visited looking for a path in the older revision


class ReachChanges:
    """Changed references per revision (computed when first needed), and the ancestors of each
    object a revision rewrites, in the revision before (recorded by the difference analysis
    while its reference index stands at that revision)."""

    def __init__(self, reader: PdfFileReader, writes: dict[Ref, list[int]]) -> None:
        self._reader = reader
        self._rewritten: dict[int, list[Ref]] = {}
        for ref, revisions in writes.items():
            for rev in revisions:
                self._rewritten.setdefault(rev, []).append(ref)
        self._edges: dict[int, tuple[set[Ref], set[Ref]]] = {}
        self.ancestors: dict[tuple[Ref, int], set[Ref]] = {}
        self._changed: dict[tuple[int, int], tuple[set[Ref], set[Ref]]] = {}
        self._closures: dict[tuple[int, Ref], set[Ref] | None] = {}

    def record_ancestors(self, revision: int, index: EdgeIndex, trees: Trees) -> None:
        """Note, with `index` at `revision - 1`, the ancestors of every object `revision`
        rewrites that existed before it."""
        before = self._reader.get_historical_resolver(revision - 1)
        for ref in self._rewritten.get(revision, ()):
            if _exists(before, ref):
                self.ancestors[(ref, revision - 1)] = index.ancestors({ref}, trees)

    def _revision_edges(self, rev: int) -> tuple[set[Ref], set[Ref]]:
        """References added and removed by the objects revision `rev` writes."""
        found = self._edges.get(rev)
        if found is None:
            hist = self._reader.get_historical_resolver(rev)
            older = self._reader.get_historical_resolver(rev - 1) if rev > 0 else None
            added: set[Ref] = set()
            removed: set[Ref] = set()
            for ref in self._rewritten.get(rev, ()):
                now = _children(hist, ref)
                before = _children(older, ref)
                added |= now - before
                removed |= before - now
            found = self._edges[rev] = (added, removed)
        return found

    def same_paths(self, ref: Ref, base: int, before: int) -> bool:
        """Whether `ref` is surely reached by the same paths in revisions `base` and `before`."""
        added, removed = self._changed_between(base, before)
        ancestors = self.ancestors.get((ref, before))
        if ancestors is None:
            return False
        if ref in added or not added.isdisjoint(ancestors) or ref in removed:
            return False
        return not any(self._reaches(base, start, ref) for start in removed)

    def _changed_between(self, base: int, before: int) -> tuple[set[Ref], set[Ref]]:
        """References added and removed by the revisions after `base` up to `before` (cached,
        each built from the one before it)."""
        key = (base, before)
        found = self._changed.get(key)
        if found is None:
            if before <= base:
                found = (set(), set())
            else:
                added, removed = self._changed_between(base, before - 1)
                more, fewer = self._revision_edges(before)
                found = (added | more, removed | fewer)
            self._changed[key] = found
        return found

    def _reaches(self, base: int, start: Ref, target: Ref) -> bool:
        """Whether `target` can be reached from `start` in revision `base` (unsure: yes)."""
        key = (base, start)
        if key not in self._closures:
            self._closures[key] = _closure(self._reader.get_historical_resolver(base), start)
        closure = self._closures[key]
        return closure is None or target in closure


def _children(hist: HistoricalResolver | None, ref: Ref) -> set[Ref]:
    if hist is None or not _exists(hist, ref):
        return set()
    try:
        return {child for child, _key in references_in(hist(ref))}
    except Exception:  # an unreadable object: its references are unknown, so "changed"
        return {ref}


def _exists(hist: HistoricalResolver, ref: Ref) -> bool:
    return hist.reader.xrefs.get_historical_ref(ref, hist.revision) is not None


def _closure(hist: HistoricalResolver, start: Ref) -> set[Ref] | None:
    """Every object reachable from `start` in `hist`, itself included; None past the limit."""
    seen: set[Ref] = set()
    todo = [start]
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        if len(seen) > _SEARCH_LIMIT:
            return None
        todo.extend(_children(hist, ref))
    return seen

