"""PAdES signatures with pyHanko 0.38: approval signatures into existing fields, the platform's
certification, and the final B-LTA completion (DSS + document timestamp).

`SigningIdentity` comes from `convsign.pki.identity` (pdf may import pki, not the reverse).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any, ClassVar

from asn1crypto import cms, crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils.extensions import DeveloperExtension
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from convsign.pdf import stamp
from convsign.pdf.inspection import pdfa_in_xmp
from convsign.pki.identity import SigningIdentity

CERTIFICATION_FIELD = "Certification"


class PdfSigningError(Exception):
    """Base of signing errors: a stable machine `code` plus structured details."""

    code: ClassVar[str] = "pdf_signing_error"

    def __init__(self, **details: Any) -> None:
        super().__init__(self.code, details)
        self.details: dict[str, Any] = details


class PdfUnreadable(PdfSigningError):
    """The input is not a PDF pyHanko can update."""

    code = "pdf_unreadable"


class SignatureFieldNotFound(PdfSigningError):
    """No signature field of that name: refuse rather than create one."""

    code = "signature_field_not_found"


class SignatureFieldAlreadySigned(PdfSigningError):
    """The field already holds a signature."""

    code = "signature_field_already_signed"


class CertificationNotFirst(PdfSigningError):
    """A certification signature must be the document's first signature."""

    code = "certification_not_first"


class StampTextUnsupported(PdfSigningError):
    """The stamp lines hold characters the embedded font cannot draw."""

    code = "stamp_text_unsupported"


class SigningFailed(PdfSigningError):
    """pyHanko refused to sign (e.g. a certification forbids it)."""

    code = "signing_failed"


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _max_signature_size(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> int:
    """Upper bound of a raw signature's size (DER ECDSA: two INTEGERs in a SEQUENCE)."""
    if isinstance(key, rsa.RSAPrivateKey):
        return (key.key_size + 7) // 8
    integer = (key.curve.key_size + 7) // 8 + 1 + 2  # leading zero byte + tag and length
    body = 2 * integer
    return body + (2 if body < 128 else 3)


class KeptKeySigner(signers.Signer):
    """A pyHanko signer on an already-loaded key: no key parsing per signature, and the size
    estimation dry run answers with placeholder bytes instead of a real signature."""

    def __init__(self, identity: SigningIdentity) -> None:
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        registry.register_multiple([_asn1(cert) for cert in identity.chain])
        super().__init__(signing_cert=_asn1(identity.certificate), cert_registry=registry)
        self._key = identity.private_key

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        """Raw signature of `data` (PKCS#1 v1.5 for RSA, DER ECDSA for EC keys)."""
        if dry_run:
            return bytes(_max_signature_size(self._key))
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey) and mechanism == "rsassa_pkcs1v15":
            return self._key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey) and mechanism == "ecdsa":
            return self._key.sign(data, ec.ECDSA(hash_algorithm))
        raise SigningError(f"unsupported signature mechanism {mechanism}")


class DeclaredVersionWriter(IncrementalPdfFileWriter):
    """An incremental writer that keeps the PDF version a PDF/A-1, -2 or -3 document declares.

    pyHanko raises the catalogue's /Version to 2.0 (and registers the ISO 32002 extension, whose
    base version is 2.0) for every ECDSA signature: the file header and the XMP metadata would
    still say PDF 1.7 / PDF/A-2b while the catalogue said 2.0. ECDSA signatures in PAdES need no
    PDF 2.0 (the ESIC extension declares PAdES in PDF 1.7), so for such a document the version
    is not raised and no extension based on a later version is registered.
    """

    def __init__(self, stream: BytesIO, **kwargs: Any) -> None:
        self._cap: tuple[int, int] | None = None  # read by the base class's constructor
        super().__init__(stream, **kwargs)
        # Read through the writer's catalogue, which parses /Metadata as pyHanko's XMP stream:
        # resolving it another way first would leave a plain stream in the reader's cache, and
        # pyHanko would then write a new XMP packet without the PDF/A identification.
        declared = pdfa_in_xmp(self.root["/Metadata"].data) if "/Metadata" in self.root else None
        if declared is not None and declared[0] in "123":
            self._cap = max(self.prev.input_version, (1, 4))

    def ensure_output_version(self, version: tuple[int, int]) -> None:
        """Raise the version, but never past what a PDF/A-1..3 document declares."""
        if self._cap is not None and version > self._cap:
            return
        super().ensure_output_version(version)  # type: ignore[no-untyped-call]

    def register_extension(self, ext: DeveloperExtension) -> None:
        """Register `ext`, unless it is based on a version the document does not declare."""
        if self._cap is not None and _base_version(ext) > self._cap:
            return
        super().register_extension(ext)


def _base_version(ext: DeveloperExtension) -> tuple[int, int]:
    major, minor = str(ext.base_version).lstrip("/").split(".")
    return int(major), int(minor)


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer on `pdf`; unreadable input becomes a coded error."""
    try:
        return DeclaredVersionWriter(BytesIO(pdf), strict=True)
    except (PdfError, ValueError, IndexError, KeyError) as exc:
        raise PdfUnreadable(reason=str(exc)) from exc


def _field_state(writer: IncrementalPdfFileWriter, name: str) -> bool | None:
    """None if the field does not exist, else whether it is already signed."""
    for _name, value, _ref in fields.enumerate_sig_fields(writer, with_name=name):
        return value is not None
    return None


def _require_empty_field(writer: IncrementalPdfFileWriter, name: str) -> None:
    """The field must exist and be unsigned."""
    state = _field_state(writer, name)
    if state is None:
        raise SignatureFieldNotFound(field_name=name)
    if state:
        raise SignatureFieldAlreadySigned(field_name=name)


def _check_stamp_lines(lines: Sequence[str]) -> None:
    missing = stamp.unsupported_characters(lines)
    if missing:
        raise StampTextUnsupported(characters=missing)


def _run(pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter, **kwargs: Any) -> bytes:
    """Sign into a new revision and return the whole resulting file."""
    try:
        output = pdf_signer.sign_pdf(writer, **kwargs)
    except SigningError as exc:
        raise SigningFailed(reason=str(exc)) from exc
    return bytes(output.getvalue())


def sign_field(
    pdf: bytes,
    field_name: str,
    identity: SigningIdentity,
    timestamper: TimeStamper,
    *,
    reason: str,
    location: str,
    signer_name: str,
    stamp_lines: Sequence[str],
    contact: str | None = None,
) -> bytes:
    """Apply a PAdES B-T approval signature (SHA-256) with a visible French stamp to an
    existing, empty signature field; returns the whole PDF with one more incremental update."""
    _check_stamp_lines(stamp_lines)
    writer = _writer(pdf)
    _require_empty_field(writer, field_name)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=signer_name,
        contact_info=contact,
    )
    pdf_signer = signers.PdfSigner(
        meta, KeptKeySigner(identity), timestamper=timestamper, stamp_style=stamp.stamp_style()
    )
    params = stamp.text_params(stamp_lines)
    return _run(pdf_signer, writer, existing_fields_only=True, appearance_text_params=params)


def certify(
    pdf: bytes,
    seal_identity: SigningIdentity,
    timestamper: TimeStamper,
    *,
    reason: str = "Document préparé pour signature",
    field_name: str = CERTIFICATION_FIELD,
) -> bytes:
    """Certify the document with the platform seal (DocMDP P=2, form filling and signing allowed)
    in a new invisible field; later approval signatures into existing fields stay valid."""
    writer = _writer(pdf)
    if any(True for _ in fields.enumerate_sig_fields(writer, filled_status=True)):
        raise CertificationNotFirst()
    if _field_state(writer, field_name) is not None:
        raise SignatureFieldAlreadySigned(field_name=field_name)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    new_field = fields.SigFieldSpec(sig_field_name=field_name)  # no box: invisible
    pdf_signer = signers.PdfSigner(
        meta, KeptKeySigner(seal_identity), timestamper=timestamper, new_field_spec=new_field
    )
    return _run(pdf_signer, writer, existing_fields_only=False)


@dataclass(frozen=True)
class ValidationInputs:
    """What a validator needs offline: trust anchors and the current CRLs (DER)."""

    trust_roots: tuple[x509.Certificate, ...]
    crls: tuple[bytes, ...]
    ocsps: tuple[bytes, ...] = ()  # OCSP responses kept for signatures made with one's own certificate


def _tokens(signed_data: cms.SignedData) -> Iterator[cms.SignedData]:
    """The SignedData itself and the timestamp tokens attached to its signer."""
    yield signed_data
    for signer_info in signed_data["signer_infos"]:
        yield from extract_tst_data_iter(signer_info, signed=False)
        yield from extract_tst_data_iter(signer_info, signed=True)


def _embedded_certificates(pdf: bytes) -> list[asn1_x509.Certificate]:
    """Every X.509 certificate carried by the document's signatures and their timestamps."""
    reader = PdfFileReader(BytesIO(pdf), strict=True)
    found: dict[bytes, asn1_x509.Certificate] = {}
    for embedded in reader.embedded_signatures:
        for signed_data in _tokens(embedded.signed_data):
            for choice in signed_data["certificates"]:
                if choice.name == "certificate":
                    cert = choice.chosen
                    found.setdefault(cert.sha256, cert)
    return list(found.values())


def complete_to_lta(pdf: bytes, timestamper: TimeStamper, inputs: ValidationInputs) -> bytes:
    """PAdES B-LTA, once at the end: put every certificate of every signature, the trust roots
    and the CRLs in the DSS, then a document timestamp covering it, in one incremental update.

    Revocation data is embedded as given, not re-validated: a certificate revoked after it
    signed (an outgoing mayor) must still get its CRL into the archive.
    """
    certs = [*_embedded_certificates(pdf), *(_asn1(root) for root in inputs.trust_roots)]
    crls = [crl.CertificateList.load(data) for data in inputs.crls]
    ocsps = [asn1_ocsp.OCSPResponse.load(data) for data in inputs.ocsps]
    writer = _writer(pdf)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=certs, crls=crls, ocsps=ocsps or None)
    try:
        output = signers.PdfTimeStamper(timestamper).timestamp_pdf(writer, "sha256")
    except SigningError as exc:
        raise SigningFailed(reason=str(exc)) from exc
    return bytes(output.getvalue())
