"""Revocation of a person's own certificate, fetched from the URLs it names (CRL distribution
points, OCSP in its authority information access) when they answer.

Only called once the chain leads to a trusted root, so the addresses come from a trusted
authority. What was fetched is kept for the completion's DSS; when nothing answers, the
signature is still accepted and the caller records "révocation non vérifiée".
"""

from __future__ import annotations

import itertools
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

TIMEOUT_SECONDS = 3.0
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class RevocationOutcome:
    """What was learnt: `checked` when every certificate of the path got an answer."""

    checked: bool = True
    revoked_subject: str | None = None
    crls: list[bytes] = field(default_factory=list)
    ocsps: list[bytes] = field(default_factory=list)


def _get(url: str, data: bytes | None = None, content_type: str | None = None) -> bytes | None:
    if not url.startswith("http://") and not url.startswith("https://"):
        return None
    request = urllib.request.Request(url, data=data,  # noqa: S310 (http(s) only, checked above)
                                     headers={"Content-Type": content_type} if content_type else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (http(s) only)
            body: bytes = response.read(MAX_BYTES + 1)
    except (OSError, ValueError):
        return None
    return body if len(body) <= MAX_BYTES else None


def crl_urls(cert: x509.Certificate) -> list[str]:
    """The HTTP addresses of the certificate's CRL distribution points."""
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [name.value for point in points for name in (point.full_name or [])
            if isinstance(name, x509.UniformResourceIdentifier)]


def ocsp_urls(cert: x509.Certificate) -> list[str]:
    """The OCSP responders named by the certificate."""
    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [d.access_location.value for d in access if d.access_method == AuthorityInformationAccessOID.OCSP
            and isinstance(d.access_location, x509.UniformResourceIdentifier)]


def _by_crl(cert: x509.Certificate, issuer: x509.Certificate, now: datetime,
            outcome: RevocationOutcome) -> bool | None:
    """True revoked, False good, None no usable CRL."""
    for url in crl_urls(cert):
        body = _get(url)
        if body is None:
            continue
        try:
            crl = x509.load_der_x509_crl(body)
        except ValueError:
            try:
                crl = x509.load_pem_x509_crl(body)
            except ValueError:
                continue
        if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            continue
        if crl.next_update_utc is not None and crl.next_update_utc < now:
            continue
        outcome.crls.append(crl.public_bytes(serialization.Encoding.DER))
        return crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    return None


def _by_ocsp(cert: x509.Certificate, issuer: x509.Certificate, outcome: RevocationOutcome) -> bool | None:
    urls = ocsp_urls(cert)
    if not urls:
        return None
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()  # noqa: S303 (RFC 6960 CertID)
    for url in urls:
        body = _get(url, request.public_bytes(serialization.Encoding.DER), "application/ocsp-request")
        if body is None:
            continue
        try:
            response = ocsp.load_der_ocsp_response(body)
            if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
                continue
            responder = next((c for c in response.certificates if c.issuer == issuer.subject), issuer)
            if responder is not issuer:
                responder.verify_directly_issued_by(issuer)
            key = responder.public_key()
            _verify(key, response.signature, response.tbs_response_bytes, response.signature_hash_algorithm)
            if response.serial_number != cert.serial_number:
                continue
        except (ValueError, InvalidSignature, TypeError):
            continue
        outcome.ocsps.append(body)
        if response.certificate_status == ocsp.OCSPCertStatus.UNKNOWN:
            continue
        return response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    return None


def _verify(key: object, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm | None) -> None:
    if algorithm is None:
        raise ValueError("no hash algorithm")
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(algorithm))
    else:
        raise ValueError("unsupported responder key")


def check_path(path: Sequence[x509.Certificate], now: datetime) -> RevocationOutcome:
    """Ask each certificate's CRL, then its OCSP responder, below the root of `path`."""
    outcome = RevocationOutcome()
    for cert, issuer in itertools.pairwise(path):
        status = _by_crl(cert, issuer, now, outcome)
        if status is None:
            status = _by_ocsp(cert, issuer, outcome)
        if status is None:
            outcome.checked = False
        elif status:
            outcome.revoked_subject = cert.subject.rfc4514_string()
            return outcome
    return outcome
