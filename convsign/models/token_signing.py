"""Signing with a person's own certificate held on a token: the roots an administrator trusts,
the certificate fingerprints registered to a person, and the prepared state of an interrupted
signature (the document with its placeholder, waiting for the token's signature value)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.convention import Signatory
from convsign.models.types import UTCDateTime, utcnow
from convsign.models.user import User


class TrustedRoot(Base):
    """A root certificate an administrator added: certificates chaining to it may sign."""

    __tablename__ = "trusted_root"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_der: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    subject: Mapped[str] = mapped_column(sa.String(500))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CertificateFingerprint(Base):
    """The SHA-256 of a certificate registered as a person's own (by them, or by an administrator)."""

    __tablename__ = "certificate_fingerprint"
    __table_args__ = (sa.UniqueConstraint("user_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    registered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PreparedSignature(Base):
    """An interrupted signature: bound to one person, slot and revision, usable once, for 10 minutes."""

    __tablename__ = "prepared_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The handle given to the client (random); the client never sends anything else back but the value.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("signatory.id"), index=True)
    revision_sha256: Mapped[str] = mapped_column(sa.String(64))
    # The revision with the field filled but its /Contents a placeholder, and where that placeholder lies.
    tbs_pdf: Mapped[bytes] = mapped_column(sa.LargeBinary)
    reserved_start: Mapped[int]
    reserved_end: Mapped[int]
    document_digest: Mapped[bytes] = mapped_column(sa.LargeBinary)
    signed_attrs: Mapped[bytes] = mapped_column(sa.LargeBinary)  # DER of the CMS signed attributes
    chain_der: Mapped[bytes] = mapped_column(sa.LargeBinary)  # the certificates, each length-prefixed
    certificate_sha256: Mapped[str] = mapped_column(sa.String(64))
    # Revocation data fetched at prepare (kept for the completion's DSS), length-prefixed DER.
    crls_der: Mapped[bytes] = mapped_column(sa.LargeBinary, default=b"")
    ocsps_der: Mapped[bytes] = mapped_column(sa.LargeBinary, default=b"")
    revocation_checked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    slot: Mapped[Signatory] = relationship()


class RevocationMaterial(Base):
    """CRLs and OCSP responses fetched for a token signature, embedded in the completion's DSS."""

    __tablename__ = "revocation_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "crl" or "ocsp"
    der: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
