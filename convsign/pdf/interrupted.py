"""Interrupted PAdES signing (pyHanko 0.38): the server prepares the revision and the CMS signed
attributes, a key held elsewhere (a person's token) signs their digest, and the server completes
the CMS (with its B-T signature timestamp) and embeds it in the reserved placeholder.

`prepare_field` returns everything to keep between the two steps as plain bytes and integers, so
the caller may store it and finish in another request or process.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from convsign.pdf import stamp
from convsign.pdf.signing import (
    SigningFailed,
    _asn1,
    _check_stamp_lines,
    _require_empty_field,
    _writer,
)

DIGEST = "sha256"


class BadSignatureValue(SigningFailed):
    """The value received does not verify under the certificate's key over the prepared digest."""

    code = "bad_signature_value"


@dataclass(frozen=True)
class PreparedField:
    """The state between prepare and finish."""

    tbs_pdf: bytes  # the new revision with a zero-filled /Contents placeholder
    reserved_start: int
    reserved_end: int
    document_digest: bytes  # SHA-256 over the /ByteRange
    signed_attrs: bytes  # DER of the CMS signed attributes
    algorithm: str  # "ecdsa-sha256" or "rsa-pkcs1v15-sha256"

    @property
    def digest_to_sign(self) -> bytes:
        """What the token signs: SHA-256 of the signed attributes."""
        return hashlib.sha256(self.signed_attrs).digest()


def algorithm_of(certificate: x509.Certificate) -> str:
    """The signature algorithm the token must use for this certificate's key."""
    key = certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ecdsa-sha256"
    if isinstance(key, rsa.RSAPublicKey):
        return "rsa-pkcs1v15-sha256"
    raise SigningFailed(reason="unsupported key type")


def _placeholder_size(certificate: x509.Certificate) -> int:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return (key.key_size + 7) // 8
    assert isinstance(key, ec.EllipticCurvePublicKey)
    integer = (key.curve.key_size + 7) // 8 + 3
    return 2 * integer + 3


def _signer(chain: Sequence[x509.Certificate], value: bytes) -> signers.ExternalSigner:
    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    registry.register_multiple([_asn1(cert) for cert in chain])
    return signers.ExternalSigner(signing_cert=_asn1(chain[0]), cert_registry=registry, signature_value=value)


def prepare_field(
    pdf: bytes,
    field_name: str,
    chain: Sequence[x509.Certificate],
    timestamper: TimeStamper,
    *,
    signing_time: datetime,
    reason: str,
    location: str,
    signer_name: str,
    stamp_lines: Sequence[str],
) -> PreparedField:
    """Fill the empty field `field_name` of `pdf` with a placeholder for a PAdES B-T signature by
    `chain[0]` (the rest of `chain` its issuers), and build the signed attributes to be signed."""
    _check_stamp_lines(stamp_lines)
    writer = _writer(pdf)
    _require_empty_field(writer, field_name)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm=DIGEST,
        reason=reason, location=location, name=signer_name)
    signer = _signer(chain, bytes(_placeholder_size(chain[0])))
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=stamp.stamp_style())
    attributes = PdfCMSSignedAttributes(signing_time=signing_time)

    async def run() -> PreparedField:
        prepared, _tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer, existing_fields_only=True, appearance_text_params=stamp.text_params(stamp_lines))
        signed_attrs = await signer.signed_attrs(
            prepared.document_digest, DIGEST, attr_settings=attributes, use_pades=True)
        output.seek(0)
        return PreparedField(output.read(), prepared.reserved_region_start, prepared.reserved_region_end,
                             prepared.document_digest, signed_attrs.dump(), algorithm_of(chain[0]))

    try:
        return asyncio.run(run())
    except SigningError as exc:
        raise SigningFailed(reason=str(exc)) from exc


def check_signature_value(certificate: x509.Certificate, prepared: PreparedField, value: bytes) -> None:
    """Refuse a value that is not the certificate key's signature of the prepared digest."""
    key = certificate.public_key()
    digest = prepared.digest_to_sign
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(value, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(value, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        else:
            raise BadSignatureValue(reason="unsupported key type")
    except (InvalidSignature, ValueError) as exc:
        raise BadSignatureValue() from exc


def finish_field(prepared: PreparedField, chain: Sequence[x509.Certificate], value: bytes,
                 timestamper: TimeStamper) -> bytes:
    """Complete the CMS with the token's signature `value` and the signature timestamp, embed it
    in the placeholder, and return the whole signed PDF."""
    check_signature_value(chain[0], prepared, value)
    signer = _signer(chain, value)
    signed_attrs = cms.CMSAttributes.load(prepared.signed_attrs)
    digest = PreparedByteRangeDigest(prepared.document_digest, prepared.reserved_start, prepared.reserved_end)
    output = BytesIO(prepared.tbs_pdf)

    async def run() -> None:
        signature = await signer.async_sign_prescribed_attributes(DIGEST, signed_attrs, timestamper=timestamper)
        await PdfTBSDocument.async_finish_signing(output, digest, signature)

    try:
        asyncio.run(run())
    except SigningError as exc:
        raise SigningFailed(reason=str(exc)) from exc
    return output.getvalue()
