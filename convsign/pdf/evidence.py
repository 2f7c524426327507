"""The evidence file of a convention ("dossier de preuve"): what each signature's certificate and
timestamp say, read from the signed PDF, and the typst rendering (PDF/A-2b) of the whole record.

Everything arrives already worded (French labels, times formatted by the caller, who knows the
time zone); data reach the template only as JSON through `sys.inputs`, never as markup. The
caller seals the result (`convsign.pdf.signing.certify`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime

import typst
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from convsign.pdf.errors import PdfError, RenderFailed
from convsign.pdf.typst_pdf import compile_pdfa, compiler

logger = logging.getLogger(__name__)

# No glyph exists for controls, private-use or unassigned code points, nor in the embedded fonts
# for pictographs (emoji in a refusal reason, from U+2600 on): they are dropped rather than failing
# the file. Lower symbols (°, ©, ™) are kept.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})
_FIRST_PICTOGRAPH = 0x2600
_SPACES = re.compile(r"[\t\r\n]+")


@dataclass(frozen=True)
class CertificateFacts:
    """A signature's certificate and timestamp as found in the PDF (times in UTC)."""

    field: str
    subject: str
    issuer: str
    serial_hex: str
    sha256: str
    not_before: datetime
    not_after: datetime
    timestamp_time: datetime | None
    tsa: str | None


@dataclass(frozen=True)
class EvidenceParty:
    """A party: name, kind, SIREN, and its deliberation's references when one is recorded."""

    name: str
    kind: str
    siren: str
    deliberation: str | None = None


@dataclass(frozen=True)
class EvidenceSignatory:
    """One slot: its office, where it stands (signed, refused, unsigned), and its events with times."""

    office: str
    organisation: str
    outcome: str
    signed: bool
    events: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceRevision:
    """One revision of the document."""

    number: int
    kind: str
    created: str
    size: int
    sha256: str


@dataclass(frozen=True)
class EvidenceSignature:
    """One signature of the latest revision: who, the certificate, the timestamp, the verdict."""

    title: str
    signer: str
    facts: tuple[tuple[str, str], ...]
    certificate_sha256: str | None
    verdict: str


@dataclass(frozen=True)
class EvidenceSpec:
    """The whole evidence file, worded."""

    title: str
    reference: str
    status: str
    generated: str
    latest_sha256: str | None
    parties: tuple[EvidenceParty, ...]
    signatories: tuple[EvidenceSignatory, ...]
    unsigned: tuple[EvidenceSignatory, ...]
    revisions: tuple[EvidenceRevision, ...]
    signatures: tuple[EvidenceSignature, ...]
    document_verdict: str
    audit_head_id: int | None
    audit_head_hash: str | None
    audit_entries: int


def certificate_facts(pdf: bytes) -> tuple[CertificateFacts, ...]:
    """The certificate and timestamp of every signature of `pdf`, in file order.

    Read without validating (the verdicts come from `convsign.pdf.validation`); a signature whose
    CMS cannot be parsed is left out. Raises `PdfError('unreadable')` if the file is not a PDF.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # any parser failure: the caller validated the same bytes first
        raise PdfError("unreadable", reason=type(exc).__name__) from exc
    found = []
    for sig in signatures:
        try:
            found.append(_facts(sig))
        except Exception:  # a broken CMS is reported by validation, not here
            logger.warning("certificate of signature %s unreadable", sig.field_name)
    return tuple(found)


def _facts(sig: EmbeddedPdfSignature) -> CertificateFacts:
    cert = sig.signer_cert
    parsed = x509.load_der_x509_certificate(cert.dump())  # RFC 4514 names: standard, language-neutral
    stamped, tsa = _timestamp(sig)
    return CertificateFacts(
        field=str(sig.field_name),
        subject=parsed.subject.rfc4514_string(),
        issuer=parsed.issuer.rfc4514_string(),
        serial_hex=format(cert.serial_number, "x"),
        sha256=hashlib.sha256(cert.dump()).hexdigest(),
        not_before=cert["tbs_certificate"]["validity"]["not_before"].native,
        not_after=cert["tbs_certificate"]["validity"]["not_after"].native,
        timestamp_time=stamped,
        tsa=tsa,
    )


def _timestamp(sig: EmbeddedPdfSignature) -> tuple[datetime | None, str | None]:
    """The time and authority of the signature's timestamp token, or of the document timestamp itself."""
    if sig.sig_object_type == "/DocTimeStamp":
        return _token_facts(sig.signed_data)
    for token in extract_tst_data_iter(sig.signer_info, signed=False):
        return _token_facts(token)
    return None, None


def _token_facts(token: cms.SignedData) -> tuple[datetime | None, str | None]:
    info = token["encap_content_info"]["content"].parsed
    tsa = _token_signer(token)
    return info["gen_time"].native, tsa


def _token_signer(token: cms.SignedData) -> str | None:
    """The subject of the certificate that signed the timestamp token."""
    sid = token["signer_infos"][0]["sid"]
    if sid.name != "issuer_and_serial_number":
        return None
    serial = sid.chosen["serial_number"].native
    for choice in token["certificates"]:
        cert = choice.chosen
        if isinstance(cert, asn1_x509.Certificate) and cert.serial_number == serial:
            return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()
    return None


def printable(text: str) -> str:
    """Text the PDF/A fonts can draw: controls and pictographs dropped, line breaks as spaces."""
    text = _SPACES.sub(" ", text)
    return "".join(c for c in text if not _undrawable(c))


def _undrawable(char: str) -> bool:
    category = unicodedata.category(char)
    return category in _DROPPED_CATEGORIES or (category == "So" and ord(char) >= _FIRST_PICTOGRAPH)


def _cleaned(value: object) -> object:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list | tuple):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value


def render_evidence(spec: EvidenceSpec, *, created_at: datetime | None = None) -> bytes:
    """Render the evidence file as PDF/A-2b (unsealed). `created_at` fixes the PDF's dates."""
    try:
        return compile_pdfa(compiler("evidence.typ", spec=_cleaned(asdict(spec))), created_at)
    except typst.TypstError as exc:
        raise RenderFailed(message=exc.message) from exc
