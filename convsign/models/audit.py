"""The audit trail: append-only, each entry's hash covering the previous one's."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from convsign.extensions import Base
from convsign.models.types import UTCDateTime


class AuditEntry(Base):
    """One recorded action. Rows are never updated or deleted by the application."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_name: Mapped[str | None] = mapped_column(sa.String(200))
    actor_role: Mapped[str | None] = mapped_column(sa.String(60))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    convention_id: Mapped[int | None] = mapped_column(index=True)
    slot_id: Mapped[int | None]
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    sha256_before: Mapped[str | None] = mapped_column(sa.String(64))
    sha256_after: Mapped[str | None] = mapped_column(sa.String(64))
    certificate_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # Canonical JSON of the action's particulars.
    details: Mapped[str] = mapped_column(sa.Text, default="{}")
    previous_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditTimestamp(Base):
    """An RFC 3161 timestamp of the audit chain's head by an external authority (daily).

    The token is signed by the authority, not by us: whoever keeps a copy can show that entry
    `entry_id` had hash `entry_hash` at the token's time, whatever the server says later.
    """

    __tablename__ = "audit_timestamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int]
    entry_hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    tsa_url: Mapped[str] = mapped_column(sa.String(500))
    token: Mapped[bytes] = mapped_column(sa.LargeBinary)
