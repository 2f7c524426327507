"""One signature, checked and summed up as a `SignatureReport`.

Every exception raised while validating a signature (a corrupted signature value raises
`SignatureValidationError`) is caught here and recorded as that signature's error code: one
broken signature never hides the verdicts on the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyhanko.sign.diff_analysis import DiffPolicy, DiffResult, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureCoverageLevel,
)

from ._codes import error_code, failed_check
from ._context import ContextFactory
from .reports import ModifiedAfter, SignatureKind

DOC_TIMESTAMP = "/DocTimeStamp"


@dataclass(frozen=True)
class Outcome:
    """pyHanko's status for one signature, or the code of the exception it raised; when the
    certificate is revoked now, the revocation date."""

    sig: EmbeddedPdfSignature
    status: Any
    error: str | None
    revoked_at: datetime | None = None


def check_signature(sig: EmbeddedPdfSignature, new_context: ContextFactory, diff_policy: DiffPolicy) -> Outcome:
    """Validate one signature or document timestamp under `diff_policy`."""
    status: PdfSignatureStatus | DocumentTimestampStatus
    try:
        if sig.sig_object_type == DOC_TIMESTAMP:
            status = validate_pdf_timestamp(sig, new_context(), diff_policy=diff_policy)
        else:
            status = validate_pdf_signature(sig, new_context(), diff_policy=diff_policy)
        revoked = _revocation_date(status)
        if revoked is not None and isinstance(status, PdfSignatureStatus):
            status = _recheck_before_revocation(sig, status, revoked, new_context, diff_policy)
    except Exception as exc:  # any failure is this signature's verdict only
        return Outcome(sig, None, error_code(exc))
    return Outcome(sig, status, failed_check(status, modified_after(sig)), revoked)


def _revocation_date(status: Any) -> datetime | None:
    details = getattr(status, "revocation_details", None)
    return None if details is None else details.revocation_date


def _recheck_before_revocation(
    sig: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    revoked: datetime,
    new_context: ContextFactory,
    diff_policy: DiffPolicy,
) -> PdfSignatureStatus:
    """A signature timestamped before its certificate was revoked stays valid (an outgoing
    mayor's signatures): validate it again as of the timestamp's time, the timestamp itself
    still checked now. pyHanko's validator judges revocation at one moment only."""
    tst = status.timestamp_validity
    if tst is None or not (tst.intact and tst.valid and tst.trusted) or tst.timestamp >= revoked:
        return status
    as_of_timestamp = new_context(moment=tst.timestamp, retroactive_revinfo=True)
    return validate_pdf_signature(sig, as_of_timestamp, new_context(), diff_policy=diff_policy)


def signature_kind(sig: EmbeddedPdfSignature, certification_ref: Any) -> SignatureKind:
    """Document timestamp, the certification signature (/Perms /DocMDP), or an approval."""
    if sig.sig_object_type == DOC_TIMESTAMP:
        return "doc_timestamp"
    value_ref = sig.sig_field.raw_get("/V")
    if certification_ref is not None and _same_ref(value_ref, certification_ref):
        return "certification"
    return "approval"


def _same_ref(a: Any, b: Any) -> bool:
    return bool(getattr(a, "idnum", None) == getattr(b, "idnum", -1))


def modified_after(sig: EmbeddedPdfSignature) -> ModifiedAfter:
    """Sum up what the later revisions did, from the signature's coverage and diff result.

    Anything pyHanko could not establish (integrity not computed, nonstandard coverage,
    suspicious changes) counts as 'other'.
    """
    if sig.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "none"
    result = sig.diff_result
    if sig.coverage != SignatureCoverageLevel.ENTIRE_REVISION or not isinstance(result, DiffResult):
        return "other"
    level = result.modification_level
    if level == ModificationLevel.NONE:
        return "none"
    if level in (ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING):
        return "form_filling"
    return "other"


def common_name(name: Any) -> str | None:
    """The CN of an asn1crypto Name, or None."""
    value = name.native.get("common_name")
    return str(value) if value is not None else None


def claimed_signing_time(outcome: Outcome) -> datetime | None:
    """The signer's own claim (signingTime or /M); a document timestamp claims nothing."""
    if outcome.sig.sig_object_type == DOC_TIMESTAMP:
        return None
    if outcome.status is not None:
        claimed: datetime | None = outcome.status.signer_reported_dt
        return claimed
    try:
        reported: datetime | None = outcome.sig.self_reported_timestamp
    except Exception:  # a malformed date is simply unknown
        return None
    return reported


def timestamp_time(outcome: Outcome) -> datetime | None:
    """The TSA's time: the signature timestamp's, or the document timestamp itself."""
    status = outcome.status
    if status is None:
        return None
    if outcome.sig.sig_object_type == DOC_TIMESTAMP:
        stamped: datetime = status.timestamp
        return stamped
    tst = status.timestamp_validity
    return None if tst is None else tst.timestamp


def revoked_at(outcome: Outcome) -> datetime | None:
    """When the signer's certificate (or a CA above it) was revoked, as of now, if it was."""
    return outcome.revoked_at
