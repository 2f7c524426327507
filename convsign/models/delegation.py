"""Delegations of signature: a deputy signs for an office (the mayor) under a numbered order."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.mandate import Office
from convsign.models.types import UTCDateTime, utcnow
from convsign.models.user import User


class Delegation(Base):
    """An arrêté by which the holder of `office` delegates signature to a deputy, for a scope and period."""

    __tablename__ = "delegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    delegate_user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # The deputy's own office, as the stamp prints it: « Premier adjoint au maire de Loison-sous-Lens ».
    delegate_title: Mapped[str] = mapped_column(sa.String(200))
    order_number: Mapped[str] = mapped_column(sa.String(50))
    order_date: Mapped[date]
    scope: Mapped[str] = mapped_column(sa.Text)
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    office: Mapped[Office] = relationship()
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_user_id])

    def in_force_on(self, day: date) -> bool:
        """Whether the delegation covers `day` and has not been revoked."""
        return self.revoked_at is None and self.start_date <= day and (self.end_date is None or day <= self.end_date)
