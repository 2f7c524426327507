"""PAdES validation of convsign documents, offline, with one verdict per signature.

`validate_document` is meant to give the verdicts of pyHanko's plain per-signature loop
(`validate_document_plain`, kept as the oracle for the tests and the benchmark) about six
times faster on a 40-signature convention: it compares each revision with its predecessor once
instead of each signature's revision with every later one (see `_diff` for what that changes
in method), and reads the file more cheaply (`_usages`, `_reader`).
`validate_last_signature` checks only the newest signature; the earlier signatures are not
parsed, so its cost barely grows as they pile up.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import TypeVar

from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffPolicy
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from ..errors import PdfError
from ._check import Outcome, check_signature, modified_after
from ._context import context_factory, revocation_sources
from ._diff import SharedDiffPolicy
from ._fields import changed_after, field_changes
from ._levels import level_facts, weakest
from ._logs import one_line_library_logs, silenced_library_logs
from ._policy import STRICT_DIFF_POLICY
from ._reader import MemoReader
from ._summary import newest_signature, signature_report
from .reports import DocumentReport, SignatureReport, TrustSettings

__all__ = [
    "DocumentReport",
    "NoSignature",
    "SignatureReport",
    "TrustSettings",
    "UnreadableDocument",
    "silenced_library_logs",
    "validate_document",
    "validate_document_plain",
    "validate_last_signature",
]

one_line_library_logs()


class UnreadableDocument(PdfError):
    """Not a PDF, truncated, damaged or encrypted: nothing can be validated."""

    code = "unreadable"


class NoSignature(PdfError):
    """The document holds no signature to validate."""

    code = "no_signature"


def validate_document(pdf: bytes, trust: TrustSettings) -> DocumentReport:
    """Validate every signature, sharing the difference analysis between them (fast)."""
    reader = _open(pdf, MemoReader)
    return _document_report(reader, trust, SharedDiffPolicy(reader))


def validate_document_plain(pdf: bytes, trust: TrustSettings) -> DocumentReport:
    """Validate every signature with pyHanko's own per-signature analysis (quadratic)."""
    return _document_report(_open(pdf, _plain_reader), trust, STRICT_DIFF_POLICY)


def validate_last_signature(pdf: bytes, trust: TrustSettings) -> SignatureReport:
    """Validate only the newest signature or document timestamp (after each signing).

    Earlier signature values are not parsed; only the cross-reference sections and the field
    dictionaries are read, about 0.5 ms per earlier signature.
    """
    reader = _open(pdf, MemoReader)
    sig = _guard(lambda: newest_signature(reader))
    if sig is None:
        raise NoSignature()
    outcome = check_signature(sig, context_factory(reader, trust), SharedDiffPolicy(reader))
    changes = _guard(lambda: field_changes(reader)) if _modified(outcome) else {}
    modified = changed_after(changes, sig.signed_revision)
    revocation = _guard(lambda: revocation_sources(reader, trust))
    facts = level_facts(reader, ())
    return signature_report(reader, outcome, facts, modified, seals=_seal_hashes(trust), revocation=revocation)


def _modified(outcome: Outcome) -> bool:
    """Whether changes were refused after this signature. Only then can a form field have
    changed (the policy refuses any change to a field but a signature field), and only then are
    the fields compared revision by revision, to name them."""
    return outcome.error == "illegal_modification" or modified_after(outcome.sig) == "other"


def _seal_hashes(trust: TrustSettings) -> frozenset[bytes]:
    return frozenset(hashlib.sha256(cert.public_bytes(Encoding.DER)).digest() for cert in trust.seals)


def _open(pdf: bytes, make_reader: Callable[[bytes], PdfFileReader]) -> PdfFileReader:
    reader = _guard(lambda: make_reader(pdf))
    if reader.encrypted:
        raise UnreadableDocument(reason="encrypted")
    return reader


_T = TypeVar("_T")


def _plain_reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf))


def _guard(read: Callable[[], _T]) -> _T:
    """Run a read of the file's structure, turning any failure into `UnreadableDocument`."""
    try:
        return read()
    except PdfError:
        raise
    except Exception as exc:  # garbage input must never escape as a raw error
        raise UnreadableDocument(reason=type(exc).__name__) from exc


def _document_report(reader: PdfFileReader, trust: TrustSettings, diff_policy: DiffPolicy) -> DocumentReport:
    sigs: list[EmbeddedPdfSignature] = _guard(lambda: list(reader.embedded_signatures))
    new_context = _guard(lambda: context_factory(reader, trust))
    outcomes = [check_signature(sig, new_context, diff_policy) for sig in sigs]
    facts = _guard(lambda: level_facts(reader, outcomes))
    changes = _guard(lambda: field_changes(reader)) if any(map(_modified, outcomes)) else {}
    seals = _seal_hashes(trust)
    revocation = _guard(lambda: revocation_sources(reader, trust))
    reports = tuple(
        signature_report(
            reader, o, facts, changed_after(changes, o.sig.signed_revision), seals=seals, revocation=revocation
        )
        for o in outcomes
    )
    signed = [r.pades_level for r in reports if r.kind != "doc_timestamp"]
    newest = max((r.revision for r in reports), default=None)
    last = reader.xrefs.total_revisions - 1
    return DocumentReport(
        signatures=reports,
        valid=bool(signed) and all(r.ok for r in reports),
        level=weakest(signed),
        revision_count=reader.xrefs.total_revisions,
        unsigned_revisions=0 if newest is None else last - newest,
        trailing_bytes=newest is not None and _trailing_bytes(reader, reports),
    )


def _trailing_bytes(reader: PdfFileReader, reports: tuple[SignatureReport, ...]) -> bool:
    """Bytes after the last revision: the newest signature covers its revision, not the file."""
    newest = max(reports, key=lambda r: r.revision)
    return newest.revision == reader.xrefs.total_revisions - 1 and not newest.covers_whole_document
