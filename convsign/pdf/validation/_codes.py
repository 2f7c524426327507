"""Machine codes for what went wrong with one signature (mapped to French text by the web layer).

Exception codes: `signature_invalid` (pyHanko refused the CMS signature, e.g. a corrupted
value), `unsupported` (a disallowed algorithm), `unreadable_signature` (PDF structure
around the signature broken), `validation_failed` (anything else). Check codes, first failing
wins: `not_intact` (signed bytes changed), `invalid_signature`, `revoked`, `untrusted`,
`field_modified` (a form field other than a signature field changed after signing, named in the
report), `illegal_modification` (changes after signing beyond form filling/signing/LTA, or against the
DocMDP/FieldMDP rules), `timestamp_invalid`, `rejected` (pyHanko's overall judgement, e.g. seed
value constraints).
"""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.sign.validation.errors import DisallowedAlgorithmError, SignatureValidationError


def error_code(exc: BaseException) -> str:
    """The code recorded for an exception raised while validating a signature."""
    if isinstance(exc, DisallowedAlgorithmError):
        return "unsupported"
    if isinstance(exc, SignatureValidationError):
        return "signature_invalid"
    if isinstance(exc, PyHankoPdfError):
        return "unreadable_signature"
    return "validation_failed"


def failed_check(status: Any, modified_after: str) -> str | None:
    """The first check a validated signature fails, or None if it passes them all."""
    checks = (
        ("not_intact", status.intact),
        ("invalid_signature", status.valid),
        ("revoked", not status.revoked),
        ("untrusted", status.trusted),
        ("illegal_modification", _modifications_ok(status, modified_after)),
        ("timestamp_invalid", _timestamp_ok(status)),
        ("rejected", bottom_line(status)),
    )
    return next((code for code, passed in checks if not passed), None)


def _modifications_ok(status: Any, modified_after: str) -> bool:
    return modified_after != "other" and getattr(status, "docmdp_ok", None) is not False


def _timestamp_ok(status: Any) -> bool:
    tst = getattr(status, "timestamp_validity", None)
    return tst is None or bool(tst.intact and tst.valid and tst.trusted)


def bottom_line(status: Any) -> bool:
    """pyHanko's overall judgement; a document timestamp's is its token's soundness and trust."""
    judged = getattr(status, "bottom_line", None)
    if judged is None:
        judged = status.intact and status.valid and status.trusted
    return bool(judged)
