"""Offices (Maire de Loison-sous-Lens) and the mandates by which people hold them."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.organisation import Organisation
from convsign.models.user import User


class OfficeKind(enum.StrEnum):
    """The offices that sign conventions, or sign by delegation."""

    MAYOR = "maire"
    DEPUTY_MAYOR = "adjoint"
    PRESIDENT = "president"
    VICE_PRESIDENT = "vice_president"
    DIRECTOR = "directeur"
    OTHER = "autre"


class Office(Base):
    """An office in an organisation; a signature belongs to the office, held by one person at a time."""

    __tablename__ = "office"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    kind: Mapped[OfficeKind] = mapped_column(
        sa.Enum(OfficeKind, native_enum=False, length=20, values_callable=lambda ks: [k.value for k in ks])
    )
    # As printed on the bordereau: "Maire de Loison-sous-Lens".
    title: Mapped[str] = mapped_column(sa.String(200))

    organisation: Mapped[Organisation] = relationship()
    mandates: Mapped[list[Mandate]] = relationship(back_populates="office", order_by="Mandate.start_date")

    def holder_on(self, day: date) -> Mandate | None:
        """The mandate in force on `day`, if any."""
        for mandate in self.mandates:
            if mandate.in_force_on(day):
                return mandate
        return None


class Mandate(Base):
    """A person holding an office from a start date, until an end date once known."""

    __tablename__ = "mandate"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    start_date: Mapped[date]
    end_date: Mapped[date | None]

    office: Mapped[Office] = relationship(back_populates="mandates")
    user: Mapped[User] = relationship()

    def in_force_on(self, day: date) -> bool:
        """Whether the mandate covers `day` (the end date is the last day in office)."""
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)
