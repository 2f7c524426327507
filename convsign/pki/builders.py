"""Low-level X.509 builders shared by the CA set-up and signer issuance (plain `cryptography`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

IssuerKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
SubjectKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

# X.520 upper bound for CN, O, title; `cryptography` counts it in UTF-8 bytes.
_MAX_ATTR_BYTES = 64


def name_attribute(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute[str]:
    """One RDN attribute, cut (on a character boundary) to the X.520 length bound."""
    cut = value.encode("utf-8")[:_MAX_ATTR_BYTES].decode("utf-8", errors="ignore")
    return x509.NameAttribute(oid, cut.rstrip())


def simple_name(common_name: str, organisation: str, country: str) -> x509.Name:
    """C / O / CN name used for the platform's own certificates."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            name_attribute(NameOID.ORGANIZATION_NAME, organisation),
            name_attribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def signature_hash(issuer_key: IssuerKey) -> hashes.SHA256 | hashes.SHA384:
    """SHA-384 for P-384 issuers (matched strength), SHA-256 otherwise."""
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey) and issuer_key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def key_usage(*, signing: bool = False, ca: bool = False) -> x509.KeyUsage:
    """Key usage: digitalSignature+nonRepudiation for signers, keyCertSign+cRLSign for CAs."""
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def crl_distribution_point(url: str) -> x509.CRLDistributionPoints:
    """A single full-name distribution point pointing at `url`."""
    point = x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(url)],
        relative_name=None,
        reasons=None,
        crl_issuer=None,
    )
    return x509.CRLDistributionPoints([point])


def base_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: SubjectKey,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    """Builder with subject, issuer, validity, random serial and subject key identifier."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def issue_self_signed_ca(
    key: IssuerKey, name: x509.Name, not_before: datetime, not_after: datetime
) -> x509.Certificate:
    """A root CA certificate that may certify one level of sub-CA."""
    builder = (
        base_builder(name, name, key.public_key(), not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(key_usage(ca=True), critical=True)
    )
    return builder.sign(key, signature_hash(key))


def issue_certificate(
    issuer_key: IssuerKey,
    builder: x509.CertificateBuilder,
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    """Add AKI and the (extension, critical) pairs to `builder`, then sign it by the issuer."""
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
    builder = builder.add_extension(aki, critical=False)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, signature_hash(issuer_key))
