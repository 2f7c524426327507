"""Signatories' keys issued by the internal CA, each encrypted under its holder's passphrase."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.delegation import Delegation
from convsign.models.mandate import Mandate
from convsign.models.types import UTCDateTime, utcnow
from convsign.models.user import User


class SigningKey(Base):
    """A person's key pair and certificate; the server cannot use the key without the passphrase."""

    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    mandate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mandate.id"))
    # A deputy's key is tied to the delegation it signs under (mandate_id None).
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegation.id"))
    certificate_der: Mapped[bytes] = mapped_column(sa.LargeBinary)
    serial_hex: Mapped[str] = mapped_column(sa.String(64), unique=True)
    certificate_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())
    # PKCS#8 encrypted with AES-256-GCM under an Argon2id key from the passphrase (convsign.pki.keys).
    key_blob: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(40))
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    mandate: Mapped[Mandate | None] = relationship()
    delegation: Mapped[Delegation | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        """Whether the certificate has been revoked."""
        return self.revoked_at is not None
