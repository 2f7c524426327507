"""A person's own certificate (from a token or smart card): its chain to a trusted root, its key
usage, its validity, and the e-mail addresses it names. Pure checks: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from convsign.pki.errors import PkiError

MAX_DEPTH = 6


class ExternalCertificateError(PkiError):
    """Base of the refusals of an external certificate."""

    code = "external_certificate"


class ExternalMalformed(ExternalCertificateError):
    """The chain is not a list of readable X.509 certificates."""

    code = "external_malformed"


class ExternalUntrusted(ExternalCertificateError):
    """No path from the certificate to a trusted root."""

    code = "external_untrusted"


class ExternalNotValidNow(ExternalCertificateError):
    """The certificate (or an issuer) is expired or not yet valid."""

    code = "external_not_valid_now"


class ExternalKeyUsage(ExternalCertificateError):
    """The key usage allows neither digitalSignature nor nonRepudiation."""

    code = "external_key_usage"


class ExternalUnsupportedKey(ExternalCertificateError):
    """Neither RSA (2048 bits at least) nor ECDSA."""

    code = "external_unsupported_key"


def parse_chain(ders: Sequence[bytes]) -> list[x509.Certificate]:
    """The certificates, the signer's first; ExternalMalformed otherwise."""
    if not ders or len(ders) > MAX_DEPTH + 1:
        raise ExternalMalformed(count=len(ders))
    try:
        return [x509.load_der_x509_certificate(der) for der in ders]
    except ValueError as exc:
        raise ExternalMalformed(reason=str(exc)) from exc


def _valid_at(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def trusted_path(chain: Sequence[x509.Certificate], roots: Sequence[x509.Certificate],
                 now: datetime) -> list[x509.Certificate]:
    """The path from `chain[0]` up to and including a trusted root, through CA certificates of
    `chain`, each valid at `now`; ExternalUntrusted or ExternalNotValidNow otherwise."""
    leaf = chain[0]
    check_leaf(leaf, now)
    path = [leaf]
    current = leaf
    for _ in range(MAX_DEPTH):
        root = next((r for r in roots if _issued_by(current, r)), None)
        if root is not None:
            if not _valid_at(root, now):
                raise ExternalNotValidNow(subject=root.subject.rfc4514_string())
            return [*path, root]
        issuer = next((c for c in chain[1:] if c not in path and _is_ca(c) and _issued_by(current, c)), None)
        if issuer is None:
            break
        if not _valid_at(issuer, now):
            raise ExternalNotValidNow(subject=issuer.subject.rfc4514_string())
        path.append(issuer)
        current = issuer
    raise ExternalUntrusted(subject=leaf.subject.rfc4514_string(), issuer=current.issuer.rfc4514_string())


def check_leaf(cert: x509.Certificate, now: datetime) -> None:
    """Validity now, a supported key, a key usage that allows signing."""
    if not _valid_at(cert, now):
        raise ExternalNotValidNow(subject=cert.subject.rfc4514_string())
    key = cert.public_key()
    if not (isinstance(key, ec.EllipticCurvePublicKey) or (isinstance(key, rsa.RSAPublicKey)
                                                           and key.key_size >= 2048)):
        raise ExternalUnsupportedKey()
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise ExternalKeyUsage() from exc
    if not (usage.digital_signature or usage.content_commitment):
        raise ExternalKeyUsage()


def emails(cert: x509.Certificate) -> set[str]:
    """The e-mail addresses the certificate names (subject emailAddress, SAN rfc822Name), lower-cased."""
    found = {str(attr.value).strip().lower() for attr in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)}
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found |= {name.strip().lower() for name in san.get_values_for_type(x509.RFC822Name)}
    except x509.ExtensionNotFound:
        pass
    return found
