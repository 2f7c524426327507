"""From pyHanko's outcome to a `SignatureReport`; finding the newest signature cheaply."""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from ._check import (
    Outcome,
    claimed_signing_time,
    common_name,
    modified_after,
    revoked_at,
    signature_kind,
    timestamp_time,
)
from ._codes import bottom_line
from ._context import RevocationSources
from ._levels import LevelFacts
from .reports import SignatureReport


def signature_report(
    reader: PdfFileReader,
    outcome: Outcome,
    facts: LevelFacts,
    modified_fields: tuple[str, ...] = (),
    *,
    seals: frozenset[bytes] = frozenset(),
    revocation: RevocationSources | None = None,
) -> SignatureReport:
    """Sum up one signature's outcome; an exception leaves it not intact, not valid, not trusted.
    A form field changed after the signature (`modified_fields`) is named as the reason unless a
    worse failure (broken signature, untrusted certificate...) comes first."""
    sig, status = outcome.sig, outcome.status
    signer, issuer = _names(sig)
    fingerprint = _fingerprint(sig)
    error, modified = outcome.error, modified_after(sig)
    if modified_fields:
        modified = "other"
        if error in (None, "illegal_modification", "rejected"):
            error = "field_modified"
    return SignatureReport(
        field=sig.field_name,
        kind=signature_kind(sig, _certification_ref(reader)),
        signer=signer,
        issuer=issuer,
        signing_time=claimed_signing_time(outcome),
        timestamp_time=timestamp_time(outcome),
        intact=bool(status is not None and status.intact),
        valid=bool(status is not None and status.valid),
        trusted=bool(status is not None and status.trusted),
        revoked_at=revoked_at(outcome),
        covers_whole_document=sig.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        revision=sig.signed_revision,
        modified_after=modified,
        docmdp_ok=getattr(status, "docmdp_ok", None),
        pades_level=facts.level_of(outcome),
        bottom_line=status is not None and bottom_line(status),
        error=error,
        modified_fields=modified_fields,
        platform_seal=fingerprint is not None and fingerprint in seals,
        revocation_checked=revocation is None or _covered(sig, revocation),
    )


def _covered(sig: EmbeddedPdfSignature, revocation: RevocationSources) -> bool:
    if sig.sig_object_type == "/DocTimeStamp":
        return True
    try:
        return revocation.covers(sig.signer_cert)
    except Exception:  # no readable certificate: the verdict already says so
        return True


def _fingerprint(sig: EmbeddedPdfSignature) -> bytes | None:
    try:
        digest: bytes = sig.signer_cert.sha256
    except Exception:  # the verdict already records the failure
        return None
    return digest


def _names(sig: EmbeddedPdfSignature) -> tuple[str | None, str | None]:
    """Signer and issuer CN; a CMS too broken to name its signer names nobody."""
    try:
        cert = sig.signer_cert
    except Exception:  # the verdict already records the failure
        return None, None
    return common_name(cert.subject), common_name(cert.issuer)


def _certification_ref(reader: PdfFileReader) -> Any:
    """The signature dictionary /Perms /DocMDP points to, if the document is certified."""
    try:
        return reader.root["/Perms"].raw_get("/DocMDP")
    except (KeyError, AttributeError):
        return None


def newest_signature(reader: PdfFileReader) -> EmbeddedPdfSignature | None:
    """The signature written in the latest revision, parsing only that one signature.

    `reader.embedded_signatures` would parse every signature dictionary (each /Contents is a
    long hex string read in pure Python): the revision of each is read from the cross-reference
    tables instead, through the field's raw /V reference.
    """
    best: tuple[int, str, generic.DictionaryObject] | None = None
    for name, field in _signature_fields(reader):
        value = field.raw_get("/V")
        if not isinstance(value, generic.IndirectObject):
            continue
        revision = reader.xrefs.get_last_change(value.reference)
        if best is None or revision > best[0]:
            best = (revision, name, field)
    if best is None:
        return None
    return EmbeddedPdfSignature(reader, best[2], best[1])


def _signature_fields(reader: PdfFileReader) -> list[tuple[str, generic.DictionaryObject]]:
    """Filled /Sig fields of the AcroForm, flat or nested, with their qualified names."""
    try:
        top = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return []
    found: list[tuple[str, generic.DictionaryObject]] = []
    _walk(top, "", None, found)
    return found


def _walk(fields: Any, prefix: str, inherited_type: Any, found: list[tuple[str, generic.DictionaryObject]]) -> None:
    for ref in fields:
        field = ref.get_object()
        if "/T" not in field:
            continue  # a bare widget, not a field
        name = prefix + str(field["/T"])
        field_type = field.get("/FT", inherited_type)
        if field_type == "/Sig" and "/V" in field:
            found.append((name, field))
        if "/Kids" in field:
            _walk(field["/Kids"], name + ".", field_type, found)
