"""The outbox: messages written in the transaction of their event, delivered afterwards.

A row is claimed (`claimed_at`, `claim_token`) in its own committed transaction before it is
sent, and marked sent right after the server accepts it; a claim older than the claim timeout
is taken to be a crashed sender's and may be taken again. See convsign.outbox.delivery.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from convsign.extensions import Base
from convsign.models.types import UTCDateTime, utcnow


class OutboxKind(enum.StrEnum):
    """What a message is: an e-mail, or a webhook delivery (its JSON body, signed when sent)."""

    EMAIL = "email"
    WEBHOOK = "webhook"


class OutboxMessage(Base):
    """One message to deliver: its recipient, content, and delivery bookkeeping."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(
        sa.Enum(OutboxKind, native_enum=False, length=20, values_callable=lambda ks: [k.value for k in ks]),
        default=OutboxKind.EMAIL,
    )
    recipient: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # Whatever else a kind needs (extra headers of an e-mail, the JSON of a webhook).
    payload: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # Fixed when queued and sent with every attempt: the idempotency key of the .eml writer,
    # and what lets a mail client recognise a duplicate after a crash (see the services).
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    # Queuing the same notice twice (a reminder of the same period) is refused by this key.
    dedup_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    # None once sent or abandoned: no further attempt.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "smtp" or "file" (an .eml in the instance outbox folder), once sent.
    transport: Mapped[str | None] = mapped_column(sa.String(10))

    @property
    def status(self) -> str:
        """'sent', 'abandoned', 'sending' (claimed) or 'pending'."""
        if self.sent_at is not None:
            return "sent"
        if self.next_attempt_at is None:
            return "abandoned"
        return "sending" if self.claimed_at is not None else "pending"
