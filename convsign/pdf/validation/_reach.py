"""Whether an object is reached by the same paths in two revisions, without walking them.

pyHanko judges a rewritten object by every path that reaches it in the base revision. Walking
those paths in every signed revision is costly (a page is reached from each structure element
that names it). The paths to an object X can differ between revisions a < b only if a reference
on the way changed: a reference added between a and b whose target is X or an ancestor of X in
b, or a reference removed whose target is X or reaches X in a. Each revision's added and removed
references are computed once (the objects it writes, compared with their previous state); the
ancestors in b come from the reference index (`_usages.EdgeIndex`), in one forward pass; the
reach in a is a bounded forward search. Unsure means "different".
"""

from __future__ import annotations

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

from ._usages import EdgeIndex, references_in
from ._walk import TreeIndex

Ref = generic.Reference
_SEARCH_LIMIT = 5000  # objects visited looking for a path in the older revision


class ReachChanges:
    """Changed references per revision, and the ancestors of each rewritten object."""

    def __init__(self, reader: PdfFileReader, writes: dict[Ref, list[int]]) -> None:
        self._reader = reader
        self._added: list[set[Ref]] = []
        self._removed: list[set[Ref]] = []
        self._ancestors: dict[tuple[Ref, int], set[Ref]] = {}
        self._index(writes)

    def _index(self, writes: dict[Ref, list[int]]) -> None:
        reader = self._reader
        total = reader.xrefs.total_revisions
        rewritten: dict[int, list[Ref]] = {}
        for ref, revisions in writes.items():
            for rev in revisions:
                rewritten.setdefault(rev, []).append(ref)
        edges, trees = EdgeIndex(reader), TreeIndex(reader)
        for rev in range(total):
            added: set[Ref] = set()
            removed: set[Ref] = set()
            hist = reader.get_historical_resolver(rev)
            older = reader.get_historical_resolver(rev - 1) if rev > 0 else None
            for ref in rewritten.get(rev, ()):
                now = _children(hist, ref)
                before = _children(older, ref) if older is not None else set()
                added |= now - before
                removed |= before - now
            self._added.append(added)
            self._removed.append(removed)
            if rev + 1 < total:
                targets = {r for r in rewritten.get(rev + 1, ()) if _exists(hist, r)}
                if targets:
                    index = edges.at(rev)
                    tree = trees.trees(hist)
                    for ref in targets:
                        self._ancestors[(ref, rev)] = index.ancestors({ref}, tree)

    def same_paths(self, ref: Ref, base: int, before: int) -> bool:
        """Whether `ref` is surely reached by the same paths in revisions `base` and `before`."""
        added: set[Ref] = set()
        removed: set[Ref] = set()
        for rev in range(base + 1, before + 1):
            added |= self._added[rev]
            removed |= self._removed[rev]
        ancestors = self._ancestors.get((ref, before))
        if ancestors is None:
            return False
        if ref in added or added & ancestors or ref in removed:
            return False
        old = self._reader.get_historical_resolver(base)
        return not any(_reaches(old, start, ref) for start in removed)


def _children(hist: HistoricalResolver | None, ref: Ref) -> set[Ref]:
    if hist is None or not _exists(hist, ref):
        return set()
    try:
        return {child for child, _key in references_in(hist(ref))}
    except Exception:  # an unreadable object: its references are unknown, so "changed"
        return {ref}


def _exists(hist: HistoricalResolver, ref: Ref) -> bool:
    return hist.reader.xrefs.get_historical_ref(ref, hist.revision) is not None


def _reaches(hist: HistoricalResolver, start: Ref, target: Ref) -> bool:
    """Whether `target` can be reached from `start` in `hist` (unsure past the limit: yes)."""
    seen: set[Ref] = set()
    todo = [start]
    while todo:
        ref = todo.pop()
        if ref == target:
            return True
        if ref in seen or not _exists(hist, ref):
            continue
        seen.add(ref)
        if len(seen) > _SEARCH_LIMIT:
            return True
        todo.extend(_children(hist, ref))
    return False

