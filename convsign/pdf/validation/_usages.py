"""Where an object is used in a revision, found without walking the whole object graph.

pyHanko's difference analysis asks a revision for the paths (from the trailer) to a few
objects: those the next revision overwrites, the form fields and appearance streams it
touches. pyHanko answers by walking every path of the revision (`_load_reverse_xref_cache`,
about 50 ms a revision on a real convention). Here an index of who references whom is kept up
to date revision by revision (only the objects a revision writes are re-read), and pyHanko's
own walk is run, unchanged, but only through objects from which the asked-for object can be
reached: every other branch could not add a path to it. The paths found are pyHanko's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader, RawPdfPath

from ._walk import TreeIndex, Trees, Walk

Ref = generic.Reference
Edge = tuple[Ref, str]
_SKIPPED_KEY = "/Parent"  # pyHanko's walk never follows /Parent


class EdgeIndex:
    """Outgoing and incoming references of every object, as of one revision (moves forward)."""

    def __init__(self, reader: PdfFileReader) -> None:
        self._reader = reader
        self._revision = -1
        self._children: dict[Ref, frozenset[Edge]] = {}
        self._parents: defaultdict[Ref, set[Edge]] = defaultdict(set)

    def at(self, revision: int) -> EdgeIndex:
        """Bring the index to `revision`, replaying only the revisions not yet seen."""
        if revision < self._revision:
            self.__init__(self._reader)  # type: ignore[misc]
        for rev in range(self._revision + 1, revision + 1):
            self._replay(rev)
        self._revision = revision
        return self

    def _replay(self, revision: int) -> None:
        xrefs = self._reader.xrefs
        hist = self._reader.get_historical_resolver(revision)
        for ref in xrefs.refs_freed_in_revision(revision):
            self._set(ref, frozenset())
        for ref in xrefs.explicit_refs_in_revision(revision):
            self._set(ref, frozenset(references_in(hist(ref))))

    def _set(self, ref: Ref, children: frozenset[Edge]) -> None:
        old = self._children.get(ref, frozenset())
        for child, key in old - children:
            self._parents[child].discard((ref, key))
        for child, key in children - old:
            self._parents[child].add((ref, key))
        self._children[ref] = children

    def ancestors(self, targets: set[Ref], trees: Trees) -> set[Ref]:
        """Every object from which pyHanko's walk could reach one of `targets`.

        Beyond a page tree node reached other than through /Pages or /Kids pyHanko's walk never
        goes further (it enters page tree nodes only by their canonical path), though it records
        the path if that node is a target.
        """
        found: set[Ref] = set()
        todo = list(targets)
        while todo:
            child = todo.pop()
            # The walk records a path on reaching a target, before deciding to go further.
            reached = child in targets
            for parent, key in self._parents.get(child, ()):
                if parent not in found and (reached or _followed(key, child, trees)):
                    found.add(parent)
                    todo.append(parent)
        return found


def _followed(key: str, child: Ref, trees: Trees) -> bool:
    return child not in trees.pages or key in ("/Pages", "/Kids")


def references_in(obj: Any, key: str = "") -> Iterator[Edge]:
    """(reference, nearest dictionary key) held in an object's direct content, /Parent aside."""
    if isinstance(obj, generic.IndirectObject):
        yield obj.reference, key
    elif isinstance(obj, generic.DictionaryObject):
        for name, value in obj.items():
            if name != _SKIPPED_KEY:
                yield from references_in(value, name)
    elif isinstance(obj, generic.ArrayObject):
        for value in obj:
            yield from references_in(value, key)


class LazyUsages(dict[Ref, set[RawPdfPath]]):
    """Stands in for a revision's `_indirect_object_access_cache`: paths computed when asked.

    pyHanko asks about much the same objects in every revision (each form field, the
    catalogue...), so `interest`, shared by all revisions, collects every object asked about,
    and one walk answers for all of them and for `expected` (the objects the next revision
    writes, which pyHanko asks about first).
    """

    def __init__(
        self,
        hist: HistoricalResolver,
        index: EdgeIndex,
        trees: TreeIndex,
        interest: set[Ref],
        expected: set[Ref],
    ) -> None:
        super().__init__()
        self._hist = hist
        self._index = index
        self._tree_index = trees
        self._trees: Trees | None = None
        self._interest = interest
        self._expected = expected

    def __bool__(self) -> bool:
        # pyHanko reads the cache as `cache or {}`: an empty one must still be consulted.
        return True

    def __missing__(self, target: Ref) -> set[RawPdfPath]:
        if self._trees is None:
            self._trees = self._tree_index.trees(self._hist)
        self._interest.add(target)
        targets = (self._interest | self._expected | {target}) - self.keys()
        through = self._index.at(self._hist.revision).ancestors(targets, self._trees)
        found = usages_of(self._hist, self._trees, targets, through)
        for ref in targets:
            # An object absent from this revision has no usage, as in pyHanko's full table.
            self[ref] = found.get(ref, set())
        return self[target]


def usages_of(
    hist: HistoricalResolver, trees: Trees, targets: set[Ref], through: set[Ref]
) -> dict[Ref, set[RawPdfPath]]:
    """pyHanko's paths from the trailer to each of `targets`, entering only objects in
    `through`."""
    walk = Walk(hist, trees, targets, through)
    walk.run()
    return {ref: {RawPdfPath(*reversed(list(p))) for p in paths} for ref, paths in walk.found.items()}
