"""Council deliberations authorising a party's signatory to sign a convention (one per party)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.convention import ConventionParty
from convsign.models.types import UTCDateTime, utcnow
from convsign.models.user import User


class Deliberation(Base):
    """The deliberation of a party's council on a convention, and its transmission to the prefecture.

    Kept per convention party: the same council deliberates anew for each convention it signs.
    """

    __tablename__ = "deliberation"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_party_id: Mapped[int] = mapped_column(sa.ForeignKey("convention_party.id"), unique=True)
    session_date: Mapped[date]
    convocation_date: Mapped[date | None]
    members_in_office: Mapped[int]
    members_present: Mapped[int]
    members_represented: Mapped[int] = mapped_column(default=0)
    secretary: Mapped[str] = mapped_column(sa.String(200), default="")
    rapporteur: Mapped[str] = mapped_column(sa.String(200), default="")
    subject: Mapped[str] = mapped_column(sa.Text)
    unanimous: Mapped[bool] = mapped_column(default=False)
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    abstentions: Mapped[int | None]
    number: Mapped[str] = mapped_column(sa.String(50), default="")
    # As transmitted: 062-216205237-20221213-del-131222-330-DE. None until sent to the prefecture.
    actes_identifier: Mapped[str | None] = mapped_column(sa.String(64))
    sent_on: Mapped[date | None]
    acknowledged_on: Mapped[date | None]
    published_on: Mapped[date | None]
    publication_mode: Mapped[str | None] = mapped_column(sa.String(100))
    executory_on: Mapped[date | None]
    # The commune's own PDF of the deliberation, in the document store.
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Someone other than the party's signatory (and than who recorded it) checked it against its PDF.
    # Cleared by any change: a changed record needs a new confirmation.
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    # The backref gives ConventionParty a `deliberation` attribute (loaded in bulk by the gate's
    # eager-load option) without touching the convention module.
    party: Mapped[ConventionParty] = relationship(backref=backref("deliberation", uselist=False))
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    corrections: Mapped[list[DeliberationCorrection]] = relationship(
        order_by="DeliberationCorrection.id", lazy="selectin"
    )


class DeliberationCorrection(Base):
    """A correction recorded after the party signed: a new record beside the frozen one.

    What was signed under the deliberation as it stood stays as it stood; the correction says
    what the council's record says instead, who entered it, and when (audited).
    """

    __tablename__ = "deliberation_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    deliberation_id: Mapped[int] = mapped_column(sa.ForeignKey("deliberation.id"), index=True)
    # The fields that differ from the frozen record, with their corrected values (JSON).
    changes: Mapped[str] = mapped_column(sa.Text)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


def deliberation_of(party: ConventionParty) -> Deliberation | None:
    """The party's deliberation, through the backref mypy cannot see (lazy, or loaded in bulk)."""
    found: Deliberation | None = getattr(party, "deliberation")  # noqa: B009
    return found
