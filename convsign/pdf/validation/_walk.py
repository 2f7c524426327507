"""pyHanko 0.38's path walk (`HistoricalResolver._load_reverse_xref_cache`), restricted to the
objects from which one target can be reached.

The traversal rules are pyHanko's, kept in the same order: a reference already on the current
path stops the walk; a path is recorded on reaching a reference; page tree nodes are entered
only through their canonical path; structure elements only from within the structure tree;
/Parent (and /P inside the structure tree) is never followed. The one addition is the pruning:
an object outside `through` cannot lead to the target, so its branch is not entered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

Ref = generic.Reference
Path = misc.ConsList


@dataclass(frozen=True)
class Trees:
    """The page tree's canonical paths and the structure elements of one revision."""

    pages: dict[Ref, Any]
    struct: set[Ref]


class Walk:
    """One walk from the trailer of `hist` collecting the paths to each of `targets`."""

    def __init__(self, hist: HistoricalResolver, trees: Trees, targets: set[Ref], through: set[Ref]) -> None:
        self.hist = hist
        self.targets = targets
        self.through = through
        self.found: dict[Ref, list[Any]] = {}
        self.page_tree = trees.pages
        self.struct_tree = trees.struct

    def run(self) -> None:
        """Walk from the trailer."""
        self.visit(self.hist.trailer_view, Path.empty(), Path.empty(), False)

    def visit(self, obj: Any, cur_path: Any, seen: Any, in_struct: bool) -> None:
        """pyHanko's `_compute_paths_to_refs`, pruned to the targets' ancestors."""
        if isinstance(obj, generic.IndirectObject):
            ref = obj.reference
            if ref in seen:
                return
            if ref in self.targets:
                self.found.setdefault(ref, []).append(cur_path)
            if ref not in self.through:
                return
            seen = seen.cons(ref)
            obj = self.hist(ref)
            if cur_path != self.page_tree.get(ref, cur_path):
                return
            if not in_struct and ref in self.struct_tree:
                return
        if isinstance(obj, generic.DictionaryObject):
            self._visit_dict(obj, cur_path, seen, in_struct)
        elif isinstance(obj, generic.ArrayObject):
            for ix, value in enumerate(obj):
                self.visit(value, cur_path.cons(ix), seen, in_struct)

    def _visit_dict(self, obj: Any, cur_path: Any, seen: Any, in_struct: bool) -> None:
        for key, value in obj.items():
            if key == "/Parent" or (in_struct and key == "/P"):
                continue
            enters_struct = cur_path.head == "/StructTreeRoot" and key == "/K" and cur_path.tail == Path.sing("/Root")
            self.visit(value, cur_path.cons(key), seen, in_struct or enters_struct)


def _page_tree_nodes(hist: HistoricalResolver) -> dict[Ref, Any]:
    """Canonical path of every page tree node (pyHanko's `_collect_page_tree_refs`)."""
    pages_ref = hist.root.raw_get("/Pages")
    pages_path = Path.sing("/Root").cons("/Pages")
    nodes: dict[Ref, Any] = {}
    if isinstance(pages_ref, generic.IndirectObject):
        nodes[pages_ref.reference] = pages_path
    for ref, path in _page_kids(pages_ref.get_object(), pages_path):
        if ref in nodes:
            raise misc.PdfReadError("Circular reference in page tree in mapping stage")
        nodes[ref] = path
    return nodes


def _page_kids(pages: Any, path: Any) -> Iterator[tuple[Ref, Any]]:
    for ix, kid in enumerate(pages["/Kids"]):
        kid_path = path.cons("/Kids").cons(ix)
        if isinstance(kid, generic.IndirectObject):
            yield kid.reference, kid_path
        node = kid.get_object()
        if node.get("/Type", None) == "/Pages":
            yield from _page_kids(node, kid_path)


@dataclass(frozen=True)
class _StructIndex:
    """The structure elements of one revision, and every reference read to find them."""

    revision: int
    root: Ref
    nodes: set[Ref]
    read: set[Ref]


class TreeIndex:
    """Page and structure tree indexes per revision; the structure tree (thousands of elements
    in a tagged PDF/A) is re-read only when a revision rewrote one of the objects it came from."""

    def __init__(self, reader: PdfFileReader) -> None:
        self._reader = reader
        self._struct: _StructIndex | None = None

    def trees(self, hist: HistoricalResolver) -> Trees:
        """The indexes pyHanko builds before its walk, for the revision `hist`."""
        return Trees(_page_tree_nodes(hist), self._struct_nodes(hist))

    def _struct_nodes(self, hist: HistoricalResolver) -> set[Ref]:
        raw = hist.root.raw_get("/StructTreeRoot") if "/StructTreeRoot" in hist.root else None
        if not isinstance(raw, generic.IndirectObject):
            return _struct_tree_nodes(raw, set())  # none, or held in the catalogue itself
        cached = self._struct
        if (
            cached is not None
            and cached.root == raw.reference
            and not self._changed_between(cached.revision, hist.revision) & cached.read
        ):
            return cached.nodes
        read = {raw.reference}
        nodes = _struct_tree_nodes(raw, read)
        self._struct = _StructIndex(hist.revision, raw.reference, nodes, read)
        return nodes

    def _changed_between(self, older: int, newer: int) -> set[Ref]:
        """Everything written or freed after `older` up to `newer`; all if going backwards."""
        xrefs = self._reader.xrefs
        first = older + 1 if older <= newer else 0
        changed: set[Ref] = set()
        for rev in range(first, newer + 1):
            changed |= xrefs.explicit_refs_in_revision(rev) | xrefs.refs_freed_in_revision(rev)
        return changed


def _struct_tree_nodes(raw_root: Any, read: set[Ref]) -> set[Ref]:
    """Every structure element reachable through /K (pyHanko's `_collect_struct_tree_refs`),
    noting in `read` each reference followed."""
    nodes: set[Ref] = set()
    if raw_root is None:
        return nodes
    for ref in _struct_kids(raw_root.get_object(), read):
        if ref in nodes:
            raise misc.PdfReadError("Circular reference in structure tree in mapping stage")
        nodes.add(ref)
    return nodes


def _struct_kids(elem: Any, read: set[Ref]) -> Iterator[Ref]:
    if "/K" not in elem:
        return
    raw = elem.raw_get("/K")
    if isinstance(raw, generic.IndirectObject):
        read.add(raw.reference)
    children = raw.get_object()
    if not isinstance(children, generic.ArrayObject):
        children = (children,)
    for child in children:
        child_ref = child.reference if isinstance(child, generic.IndirectObject) else None
        if child_ref is not None:
            read.add(child_ref)
        node: Any = child.get_object() if child_ref is not None else child
        if not isinstance(node, generic.DictionaryObject):
            continue
        if node.get("/Type", "/StructElem") != "/StructElem":
            continue
        if child_ref is not None:
            yield child_ref
        yield from _struct_kids(node, read)
