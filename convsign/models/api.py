"""The API's own records: personal access tokens, and the webhook endpoints of organisations.

Webhook deliveries are outbox rows (kind "webhook"): one row per event and endpoint, with its
attempts, last error and outcome, shown to the administrator beside the endpoint.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.organisation import Organisation
from convsign.models.types import UTCDateTime, utcnow
from convsign.models.user import User


class ApiToken(Base):
    """A personal access token: it acts as its owner, with their rights and no more.

    Only the SHA-256 of the secret is stored. The secret is 32 random bytes: nobody can search
    2^256 values, so a slow password hash would add nothing, while a plain digest allows an
    indexed lookup on every request.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The token's first characters, shown so its owner recognises it ("cvs_AbCd…").
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class WebhookEndpoint(Base):
    """Where an organisation's own system receives the events of its conventions.

    The secret is stored in clear: the platform needs it to sign every delivery (HMAC-SHA256).
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    secret: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
