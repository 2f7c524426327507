"""Trusted roots added by an administrator: certificates chaining to them may sign (their own
certificate on a token), and validation trusts them. Each change is audited."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.errors import NotFound, ValidationFailed
from convsign.extensions import db
from convsign.models import TrustedRoot, User

MAX_PEM_BYTES = 64 * 1024


def roots() -> list[TrustedRoot]:
    """The added roots, oldest first."""
    return list(db.session.scalars(sa.select(TrustedRoot).order_by(TrustedRoot.id)))


def add_root(pem: bytes, actor: User | None, now: datetime) -> TrustedRoot:
    """Add the CA certificate in `pem`; ValidationFailed on the `pem` field with the reason."""
    if len(pem) > MAX_PEM_BYTES:
        raise ValidationFailed(_("Ce fichier est trop volumineux pour un certificat."), "pem")
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as error:
        raise ValidationFailed(_("Ce n'est pas un certificat au format PEM (-----BEGIN CERTIFICATE-----)."),
                               "pem") from error
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise ValidationFailed(_("Ce certificat n'est pas celui d'une autorité de certification."), "pem")
    if cert.not_valid_after_utc < now:
        raise ValidationFailed(_("Ce certificat d'autorité a expiré."), "pem")
    der = cert.public_bytes(Encoding.DER)
    sha256 = hashlib.sha256(der).hexdigest()
    if db.session.scalar(sa.select(TrustedRoot.id).where(TrustedRoot.sha256 == sha256)) is not None:
        raise ValidationFailed(_("Cette autorité racine est déjà reconnue."), "pem")
    root = TrustedRoot(certificate_der=der, sha256=sha256, subject=cert.subject.rfc4514_string()[:500],
                       not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
                       added_by_id=actor.id if actor else None, added_at=now)
    db.session.add(root)
    db.session.flush()
    record("trusted_root_added", actor=actor, subject=root.subject, certificate_sha256=sha256)
    return root


def remove_root(root_id: int, actor: User | None) -> None:
    """Stop trusting an added root."""
    root = db.session.get(TrustedRoot, root_id)
    if root is None:
        raise NotFound()
    record("trusted_root_removed", actor=actor, subject=root.subject, certificate_sha256=root.sha256)
    db.session.delete(root)
    db.session.flush()
