"""Certificate revocation lists of the internal PKI (DER), for signers and for the issuing CA."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from convsign.pki import builders
from convsign.pki.authority import Pki
from convsign.pki.identity import SigningKey


@dataclass(frozen=True)
class RevokedCertificate:
    """One revoked certificate: its serial, when it was revoked, and why (RFC 5280 reason)."""

    serial: int
    revoked_at: datetime
    reason: x509.ReasonFlags | None = None


def _crl_number(now: datetime) -> int:
    """A CRL number that grows with time (milliseconds), so no counter has to be stored."""
    return int(now.timestamp() * 1000)


def _entry(revoked: RevokedCertificate) -> x509.RevokedCertificate:
    """One CRL entry, with a reason code extension when a reason is known."""
    builder = (
        x509.RevokedCertificateBuilder()
        .serial_number(revoked.serial)
        .revocation_date(revoked.revoked_at)
    )
    if revoked.reason is not None:
        builder = builder.add_extension(x509.CRLReason(revoked.reason), critical=False)
    return builder.build()


def _sign_crl(
    issuer_key: SigningKey,
    issuer: x509.Certificate,
    revoked: Sequence[RevokedCertificate],
    now: datetime,
    next_update: datetime,
) -> bytes:
    """A complete CRL for everything `issuer` issued."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(now)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(_crl_number(now)), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    for item in revoked:
        builder = builder.add_revoked_certificate(_entry(item))
    crl = builder.sign(issuer_key, builders.signature_hash(issuer_key))
    return crl.public_bytes(serialization.Encoding.DER)


def build_crl(
    pki: Pki, revoked: Sequence[RevokedCertificate], now: datetime, next_update: datetime
) -> bytes:
    """The issuing CA's CRL (signers, TSA, seal), served at `settings.crl_url`."""
    return _sign_crl(pki.issuing_key(), pki.issuing, revoked, now, next_update)


def build_root_crl(
    pki: Pki, now: datetime, next_update: datetime, revoked: Sequence[RevokedCertificate] = ()
) -> bytes:
    """The root's CRL (normally empty): revocation data for the issuing CA itself."""
    return _sign_crl(pki.root_key(), pki.root, revoked, now, next_update)
