"""Certificates registered as a person's own, by their SHA-256: by the person (after their
password) or by an administrator. A certificate that does not name the account's e-mail may sign
for them only once registered."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.auth.passwords import verify_password
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import CertificateFingerprint, User

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def normalised(fingerprint: str) -> str:
    """The fingerprint in lower-case hexadecimal without separators, or ValidationFailed."""
    value = re.sub(r"[\s:]", "", fingerprint).lower()
    if not SHA256_HEX.match(value):
        raise ValidationFailed(_("Une empreinte SHA-256 compte 64 caractères hexadécimaux."), "fingerprint")
    return value


def register(user: User, fingerprint: str, registered_by: User, now: datetime) -> CertificateFingerprint:
    """Register the certificate `fingerprint` as `user`'s own."""
    value = normalised(fingerprint)
    existing = db.session.scalar(sa.select(CertificateFingerprint).where(
        CertificateFingerprint.user_id == user.id, CertificateFingerprint.sha256 == value))
    if existing is not None:
        return existing
    row = CertificateFingerprint(user_id=user.id, sha256=value, registered_by_id=registered_by.id, created_at=now)
    db.session.add(row)
    db.session.flush()
    record("certificate_fingerprint_registered", actor=registered_by, certificate_sha256=value,
           holder=user.name, by_administrator=registered_by.id != user.id)
    return row


def register_own(user: User, fingerprint: str, password: str, now: datetime) -> CertificateFingerprint:
    """The person registers a certificate of theirs, confirming with their password."""
    if not user.password_hash or not verify_password(user.password_hash, password):
        raise ValidationFailed(_("Mot de passe incorrect."), "password")
    return register(user, fingerprint, user, now)
