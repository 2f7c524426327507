"""Signature fields: create every signatory's visible field in one update, and list them.

All fields must exist before the first signature (a visible field added after the
certification breaks it), so `add_signature_fields` writes them in ONE incremental update.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec, append_signature_field, enumerate_sig_fields

from convsign.pdf.errors import FieldError

Box = tuple[float, float, float, float]

# Stable ASCII names: pyHanko forbids "." (it separates the parts of a qualified name),
# and the web layer uses the name in URLs and audit entries.
FIELD_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class FieldPlacement:
    """Where a signature field goes: 0-based page; box (x1, y1, x2, y2) in points, bottom-left."""

    field_name: str
    page_index: int
    box: Box


@dataclass(frozen=True)
class FieldInfo:
    """A signature field of a PDF: `box` is None when invisible, `page_index` when on no page."""

    name: str
    page_index: int | None
    box: Box | None
    signed: bool


def check_field_names(names: Iterable[str]) -> None:
    """Refuse a name outside `FIELD_NAME_PATTERN` or given twice (`FieldError`)."""
    seen: set[str] = set()
    for name in names:
        if not FIELD_NAME_PATTERN.fullmatch(name):
            raise FieldError("invalid_field_name", field_name=name)
        if name in seen:
            raise FieldError("duplicate_field_name", field_name=name)
        seen.add(name)


def add_signature_fields(pdf: bytes, placements: Sequence[FieldPlacement]) -> bytes:
    """Add one visible, empty signature field per placement, all in one incremental update."""
    check_field_names(p.field_name for p in placements)
    writer: Any = IncrementalPdfFileWriter(io.BytesIO(pdf))
    existing = {name for name, _, _ in enumerate_sig_fields(writer)}
    for placement in placements:
        if placement.field_name in existing:
            raise FieldError("field_exists", field_name=placement.field_name)
        _check_placement(writer, placement)
        # pyHanko annotates `box` as ints but writes each coordinate as a PDF real.
        box: Any = placement.box
        spec = SigFieldSpec(sig_field_name=placement.field_name, on_page=placement.page_index, box=box)
        append_signature_field(writer, spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _check_placement(writer: Any, placement: FieldPlacement) -> None:
    """The page must exist and the box must lie inside its media box."""
    page_count = int(writer.root["/Pages"]["/Count"])
    if not 0 <= placement.page_index < page_count:
        raise FieldError("invalid_placement", field_name=placement.field_name, reason="page")
    page = writer.find_page_for_modification(placement.page_index)[0].get_object()
    mx1, my1, mx2, my2 = _media_box(page)
    x1, y1, x2, y2 = placement.box
    if not (mx1 <= x1 < x2 <= mx2 and my1 <= y1 < y2 <= my2):
        raise FieldError("invalid_placement", field_name=placement.field_name, reason="box")


def _media_box(page: Any) -> Box:
    """The page's /MediaBox, inherited from the page tree when the page has none."""
    node = page
    while node is not None:
        if "/MediaBox" in node:
            x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
            return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        node = _entry(node, "/Parent")
    raise FieldError("invalid_placement", reason="no_media_box")


def list_signature_fields(pdf: bytes) -> tuple[FieldInfo, ...]:
    """Every signature field of the PDF, signed or not, in the order of the form."""
    reader = PdfFileReader(io.BytesIO(pdf))
    pages = _annotation_pages(reader)
    fields = []
    for name, value, field_ref in enumerate_sig_fields(reader):
        widget = _widget(field_ref.get_object())
        page_index = pages.get(_ref_key(widget)) if widget is not None else None
        box = _rect(widget)
        fields.append(FieldInfo(name, page_index, box, signed=value is not None))
    return tuple(fields)


def _annotation_pages(reader: Any) -> dict[tuple[int, int], int]:
    """Map each annotation reference to the index of the page that lists it."""
    pages: dict[tuple[int, int], int] = {}
    for index in range(int(reader.root["/Pages"]["/Count"])):
        page = reader.find_page_for_modification(index)[0].get_object()
        annots = _entry(page, "/Annots") or generic.ArrayObject()
        for annot in annots.iterate():
            if isinstance(annot, generic.IndirectObject):
                pages[(annot.idnum, annot.generation)] = index
    return pages


def _widget(field: Any) -> Any:
    """The field's widget annotation: the field itself when merged, else its first kid."""
    if "/Rect" in field:
        return field
    kids = _entry(field, "/Kids")
    return kids[0] if kids else None


def _entry(container: Any, key: str) -> Any:
    """The dereferenced value under `key`, or None (pyHanko's `get` would not dereference)."""
    try:
        return container[key]
    except KeyError:
        return None


def _ref_key(widget: Any) -> tuple[int, int]:
    ref = widget.container_ref
    return (ref.idnum, ref.generation) if ref is not None else (-1, -1)


def _rect(widget: Any) -> Box | None:
    """The widget's rectangle, normalised; None when absent or of zero area (invisible)."""
    if widget is None or "/Rect" not in widget:
        return None
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    if x1 == x2 or y1 == y2:
        return None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
