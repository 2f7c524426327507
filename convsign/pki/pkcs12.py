"""A signatory's own PKCS#12 (.p12/.pfx) file, checked before it is used for one signature."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, ValidationError

from convsign.pki import errors
from convsign.pki.identity import SigningIdentity, SigningKey


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _from_asn1(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _open(
    data: bytes, password: str
) -> tuple[object, x509.Certificate | None, list[x509.Certificate]]:
    """Decrypt the file; tell a structurally broken file from a wrong password."""
    try:
        core.Sequence.load(data, strict=True)
    except ValueError as exc:
        raise errors.Pkcs12Malformed() from exc
    try:
        return pkcs12.load_key_and_certificates(data, password.encode("utf-8"))
    except ValueError as exc:
        # OpenSSL reports a failed MAC check and undecodable content alike.
        raise errors.Pkcs12WrongPassword() from exc


def _check_key(key: object, cert: x509.Certificate | None) -> tuple[SigningKey, x509.Certificate]:
    """The key must exist, be RSA or ECDSA, and belong to the certificate."""
    if key is None or cert is None:
        raise errors.Pkcs12NoKey(has_key=key is not None, has_certificate=cert is not None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise errors.Pkcs12UnsupportedKey(key_type=type(key).__name__)
    if key.public_key() != cert.public_key():
        raise errors.Pkcs12KeyMismatch()
    return key, cert


def _check_certificate(cert: x509.Certificate, now: datetime) -> None:
    """In validity at `now`, with digitalSignature and nonRepudiation."""
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise errors.Pkcs12Expired(
            not_before=cert.not_valid_before_utc.isoformat(),
            not_after=cert.not_valid_after_utc.isoformat(),
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise errors.Pkcs12KeyUsage(missing=["key_usage_extension"]) from exc
    missing = [
        name
        for name, present in (
            ("digital_signature", usage.digital_signature),
            ("non_repudiation", usage.content_commitment),
        )
        if not present
    ]
    if missing:
        raise errors.Pkcs12KeyUsage(missing=missing)


async def _validated_intermediates(
    cert: x509.Certificate,
    extra: Sequence[x509.Certificate],
    trust_roots: Sequence[x509.Certificate],
    now: datetime,
) -> tuple[x509.Certificate, ...]:
    """Build and validate a path to one of `trust_roots`; return its intermediates."""
    context = ValidationContext(
        trust_roots=[_to_asn1(root) for root in trust_roots],
        moment=now,
        allow_fetching=False,
        # Revocation is checked by the signature validation later, with the CRLs it holds.
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(
        _to_asn1(cert), intermediate_certs=[_to_asn1(c) for c in extra], validation_context=context
    )
    try:
        usage = {"digital_signature", "non_repudiation"}
        path = await validator.async_validate_usage(usage)  # type: ignore[no-untyped-call]
    except (PathBuildingError, ValidationError) as exc:
        raise errors.Pkcs12Untrusted(reason=type(exc).__name__) from exc
    inner = list(path)[1:-1]  # path runs root → … → end entity
    return tuple(_from_asn1(c) for c in inner)


def load_pkcs12(
    data: bytes, password: str, trust_roots: Sequence[x509.Certificate], now: datetime
) -> SigningIdentity:
    """Open a .p12/.pfx and check it may sign now under one of `trust_roots` (coded errors)."""
    raw_key, raw_cert, extra = _open(data, password)
    key, cert = _check_key(raw_key, raw_cert)
    _check_certificate(cert, now)
    chain = asyncio.run(_validated_intermediates(cert, extra, trust_roots, now))
    return SigningIdentity(private_key=key, certificate=cert, chain=chain)
