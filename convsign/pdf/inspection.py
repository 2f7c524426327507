"""Inspect an uploaded PDF before anyone relies on it: refuse it with a coded `PdfRejected`.

The checks run cheapest first: size and header before any parsing, then pyHanko's strict
reader (the one that will sign the file), the page tree, and one walk over the object graph
(visited set: reference loops end it) for signatures, active content and stream sizes.
Streams are decoded one at a time under pyHanko's `DecodeLimits`, never kept: a
decompression bomb stops at the limit. Any parser failure becomes `PdfRejected('damaged')`.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget, StreamDecodeLimits
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader

from convsign.pdf.errors import PdfRejected

__all__ = [
    "ACTIVE_ACTIONS",
    "ACTIVE_SUBTYPES",
    "INSPECTION_DECODE_LIMITS",
    "PdfInfo",
    "inspect_pdf",
]

_MiB = 1024 * 1024
# pyHanko's defaults, but at most 64 MiB per decoded stream instead of 256: a bomb is
# refused four times sooner, and what passes here also passes pyHanko's own reader. The whole
# document may decode to 128 MiB at most, whatever its size (pyHanko allows 100 times the file's
# size: 5 GB for a 51 MB file of 75 streams of 63 MiB, 18 s of work).
INSPECTION_DECODE_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_output_size=64 * _MiB),
    document_budget=DocumentDecodeBudget(base_allowance=128 * _MiB, max_ratio=0),
)

# Actions that run code, open other files or change what the page shows: a signed
# convention must be static (PAdES and PDF/A forbid them).
ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/ResetForm",
        "/Rendition",
        "/RichMediaExecute",
        "/SetOCGState",
        "/Movie",
        "/Sound",
        "/Hide",
    }
)
# Before signing, an allowlist instead: internal links and web or mail links only.
ALLOWED_ACTIONS = frozenset({"/GoTo", "/URI"})
ALLOWED_URI_SCHEMES = ("http://", "https://", "mailto:")
# Keys that hold an action dictionary (an action's own /Next is checked with it).
_ACTION_KEYS = ("/A", "/OpenAction")
# Multimedia and 3D annotations or objects: played content, forbidden by PDF/A-2 as well.
ACTIVE_SUBTYPES = frozenset({"/Movie", "/Sound", "/Screen", "/RichMedia", "/3D"})
# Keys whose mere presence means dynamic content: scripts, name trees of scripts, XFA forms.
_ACTIVE_KEYS = ("/JS", "/JavaScript", "/XFA")
# Filters pyHanko can decode; any other (images, LZW…) is left encoded.
_DECODABLE = frozenset({"/FlateDecode", "/Fl", "/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"})
_SCRIPT_MARKERS = (b"/JavaScript", b"/JS")
_PDFA_PART = re.compile(rb"pdfaid:part(?:=\"|>)\s*(\d)")
_PDFA_CONFORMANCE = re.compile(rb"pdfaid:conformance(?:=\"|>)\s*([ABUabu])")


@dataclass(frozen=True)
class PdfInfo:
    """What inspection learnt of an accepted PDF."""

    page_count: int
    pdf_version: str
    has_signatures: bool
    signature_field_count: int
    has_embedded_files: bool
    pdfa: str | None  # e.g. "2B" when the XMP metadata declares PDF/A-2b


@dataclass
class _Findings:
    """Accumulated while walking the object graph."""

    signatures: int = 0
    signature_fields: int = 0
    form_fields: list[str] = field(default_factory=list)
    embedded_files: bool = False
    perms: set[str] = field(default_factory=set)


def inspect_pdf(
    data: bytes,
    *,
    max_bytes: int,
    max_pages: int,
    allow_signed: bool = False,
    decode_limits: DecodeLimits | None = None,
    for_signing: bool = False,
    deadline: float | None = None,
) -> PdfInfo:
    """Check `data` and describe it, or raise `PdfRejected` with one of its codes.

    `allow_signed=True` accepts signed files (to inspect one before validation).
    `decode_limits` defaults to `INSPECTION_DECODE_LIMITS` (stricter than pyHanko's own).
    `for_signing=True` (a text about to be certified) applies the allowlist: internal links and
    http(s)/mailto links only; no other action, no additional-actions dictionary (/AA), no
    embedded file, and no form field but signature fields (`form_fields`).
    `deadline` (a `time.monotonic()` value) bounds the work: past it, `too_slow`.
    """
    _check_envelope(data, max_bytes)
    try:
        limits = decode_limits or INSPECTION_DECODE_LIMITS
        return _inspect(data, max_pages, allow_signed, limits, for_signing=for_signing, deadline=deadline)
    except PdfRejected:
        raise
    except PdfDecodeLimitError as exc:
        raise PdfRejected("decode_limit") from exc
    except Exception as exc:  # parsers raise anything on hostile input, RecursionError included
        raise PdfRejected("damaged", reason=type(exc).__name__) from exc


def _check_envelope(data: bytes, max_bytes: int) -> None:
    """Size and header, before any parsing."""
    if not data:
        raise PdfRejected("empty")
    if len(data) > max_bytes:
        raise PdfRejected("too_large", size=len(data), max_bytes=max_bytes)
    # The header may follow a little garbage (PDF 32000-1, annex H.3): look in the first KiB.
    if b"%PDF-" not in data[:1024]:
        raise PdfRejected("not_pdf")


def _inspect(
    data: bytes, max_pages: int, allow_signed: bool, limits: DecodeLimits, *, for_signing: bool, deadline: float | None
) -> PdfInfo:
    reader = PdfFileReader(io.BytesIO(data), strict=True, decode_limits=limits)
    trailer = reader.trailer_view
    if "/Encrypt" in trailer:
        raise PdfRejected("encrypted")
    page_count = _count_pages(reader.root.raw_get("/Pages"), max_pages)
    findings = _Findings()
    for obj in _walk(reader.root, _raw(trailer, "/Info")):
        if deadline is not None and time.monotonic() > deadline:
            raise PdfRejected("too_slow")
        _examine(obj, findings)
        if for_signing:
            _allowlist(obj, findings)
    if findings.form_fields:
        raise PdfRejected("form_fields", fields=sorted(findings.form_fields))
    signed = bool(findings.signatures or findings.perms)
    if signed and not allow_signed:
        raise PdfRejected("already_signed", perms=sorted(findings.perms))
    return PdfInfo(
        page_count=page_count,
        pdf_version="{}.{}".format(*reader.input_version),
        has_signatures=signed,
        signature_field_count=findings.signature_fields,
        has_embedded_files=findings.embedded_files,
        pdfa=_pdfa_declaration(reader.root),
    )


def _count_pages(pages_ref: Any, max_pages: int) -> int:
    """Count leaves of the page tree; a node met twice is a loop (damaged)."""
    count, seen, stack = 0, set(), [pages_ref]
    while stack:
        ref = stack.pop()
        if not isinstance(ref, generic.IndirectObject) or ref.reference in seen:
            raise PdfRejected("damaged", reason="page_tree")
        seen.add(ref.reference)
        node = _resolve(ref)
        if "/Kids" in node:
            stack.extend(node["/Kids"].iterate())
            continue
        count += 1
        if count > max_pages:
            raise PdfRejected("too_many_pages", max_pages=max_pages)
    return count


def _walk(*roots: Any) -> Iterator[generic.DictionaryObject]:
    """Yield every dictionary (streams included) reachable from `roots`, each object once."""
    seen: set[generic.Reference] = set()
    stack = [r for r in roots if r is not None]
    while stack:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            if obj.reference in seen:
                continue
            seen.add(obj.reference)
            stack.append(_resolve(obj))
        elif isinstance(obj, generic.DictionaryObject):
            yield obj
            stack.extend(obj.raw_get(key) for key in obj)
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(obj.iterate())


def _examine(obj: generic.DictionaryObject, findings: _Findings) -> None:
    """Check one dictionary for scripts, signatures and, if a stream, its decoded size."""
    action = _value(obj, "/S")
    if action in ACTIVE_ACTIONS:
        raise PdfRejected("active_content", action=str(action))
    subtype = _value(obj, "/Subtype")
    if subtype in ACTIVE_SUBTYPES:
        raise PdfRejected("active_content", action=str(subtype))
    for key in _ACTIVE_KEYS:
        if key in obj:
            raise PdfRejected("active_content", action=key)
    _note_signature_parts(obj, findings)
    if isinstance(obj, generic.StreamObject):
        _check_stream(obj, findings)


def _allowlist(obj: generic.DictionaryObject, findings: _Findings) -> None:
    """Before signing: refuse any action but internal and web links, any /AA, any embedded file,
    and note form fields other than signature fields."""
    if "/AA" in obj:
        raise PdfRejected("active_content", action="/AA")
    embedded = _value(obj, "/Type") == "/EmbeddedFile" or _value(obj, "/Subtype") == "/FileAttachment"
    if embedded or "/EmbeddedFiles" in obj:
        raise PdfRejected("active_content", action="/EmbeddedFile")
    if _value(obj, "/Type") == "/Action":
        _check_action(obj)
    for key in _ACTION_KEYS:
        action = _value(obj, key)
        if isinstance(action, generic.DictionaryObject):
            _check_action(action)
    if "/FT" in obj and _value(obj, "/FT") != "/Sig":
        findings.form_fields.append(str(_value(obj, "/T") or "?"))


def _check_action(action: generic.DictionaryObject) -> None:
    kind = _value(action, "/S")
    if kind not in ALLOWED_ACTIONS:
        raise PdfRejected("active_content", action=str(kind))
    if kind == "/URI":
        uri = _value(action, "/URI")
        text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
        if not text.strip().lower().startswith(ALLOWED_URI_SCHEMES):
            raise PdfRejected("active_content", action="/URI", uri=text[:80])
    following = _value(action, "/Next")
    for raw in following if isinstance(following, generic.ArrayObject) else [following]:
        nxt = _resolve(raw) if isinstance(raw, generic.IndirectObject) else raw
        if isinstance(nxt, generic.DictionaryObject):
            _check_action(nxt)


def _note_signature_parts(obj: generic.DictionaryObject, findings: _Findings) -> None:
    kind = _value(obj, "/Type")
    if _value(obj, "/FT") == "/Sig":
        findings.signature_fields += 1
    if kind in ("/Sig", "/DocTimeStamp") or "/ByteRange" in obj:
        findings.signatures += 1
    perms = _value(obj, "/Perms")
    if isinstance(perms, generic.DictionaryObject):
        findings.perms.update(str(key) for key in perms)
    if "/EmbeddedFiles" in obj or kind == "/EmbeddedFile":
        findings.embedded_files = True


def _check_stream(stream: generic.StreamObject, findings: _Findings) -> None:
    """Decode a copy of the stream under the reader's limits, then drop it (bounded memory).

    The copy leaves out /DecodeParms: predictors never enlarge data, and pyHanko applies
    PNG predictors in pure Python, far too slowly for a large image.
    """
    filters = _value(stream, "/Filter") or generic.ArrayObject()
    # Indexing dereferences: an indirect filter name must not hide a Flate bomb.
    names = [filters[i] for i in range(len(filters))] if isinstance(filters, list) else [filters]
    if any(name not in _DECODABLE for name in names):
        return
    entries = {key: value for key, value in stream.items() if key != "/DecodeParms"}
    copy = generic.StreamObject(entries, encoded_data=stream.encoded_data)
    copy.container_ref = stream.container_ref  # charge the document's decode budget
    data = copy.data
    if _value(stream, "/Type") == "/EmbeddedFile" and any(m in data for m in _SCRIPT_MARKERS):
        raise PdfRejected("active_content", action="embedded_script")


def _resolve(ref: Any) -> Any:
    """Dereference an indirect object (a reference chain loop ends in RecursionError)."""
    return ref.get_object()


def _value(container: generic.DictionaryObject, key: str) -> Any:
    """The value under `key`, dereferenced (an indirect /S must not hide an action), or None."""
    try:
        return container[key]
    except KeyError:  # absent, or null (pyHanko raises KeyError for a null value)
        return None


def _raw(container: generic.DictionaryObject, key: str) -> Any:
    """The value under `key` without dereferencing it, or None."""
    return container.raw_get(key) if key in container else None


def _pdfa_declaration(root: generic.DictionaryObject) -> str | None:
    """The PDF/A part and conformance declared in the XMP metadata, e.g. "2B"."""
    metadata = _raw(root, "/Metadata")
    if metadata is None:
        return None
    return pdfa_in_xmp(_resolve(metadata).data)


def pdfa_in_xmp(xmp: bytes) -> str | None:
    """The PDF/A part and conformance an XMP packet declares, e.g. "2B" (element or attribute form)."""
    part, conformance = _PDFA_PART.search(xmp), _PDFA_CONFORMANCE.search(xmp)
    if part is None or conformance is None:
        return None
    return (part.group(1) + conformance.group(1)).decode("ascii").upper()
