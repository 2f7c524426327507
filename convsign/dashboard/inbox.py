"""A person's signature inbox: the slots of the offices they hold today, and the slots they signed.

What awaits their signature comes first, then what waits or is blocked and why, then what they signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa

from convsign.conventions import circuit
from convsign.dashboard.loading import prepare, slot_loading
from convsign.extensions import db
from convsign.models import Convention, ConventionStatus, Mandate, Signatory, User

EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class InboxItem:
    """One slot of the person's, with its status."""

    slot: Signatory
    status: circuit.SlotStatus


@dataclass
class Inbox:
    """The person's slots, in the three groups the home page shows."""

    to_sign: list[InboxItem] = field(default_factory=list)
    pending: list[InboxItem] = field(default_factory=list)
    signed: list[InboxItem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.to_sign or self.pending or self.signed)


def _my_slots(user: User, today: date) -> list[Signatory]:
    """Slots of offices `user` holds today in open or finished conventions, and slots `user` signed."""
    offices = sa.select(Mandate.office_id).where(
        Mandate.user_id == user.id,
        Mandate.start_date <= today,
        sa.or_(Mandate.end_date.is_(None), Mandate.end_date >= today),
    )
    held = sa.and_(
        Signatory.office_id.in_(offices), Convention.status.in_([ConventionStatus.CIRCULATING, ConventionStatus.SIGNED])
    )
    return list(
        db.session.scalars(
            sa.select(Signatory)
            .join(Convention)
            .where(sa.or_(held, Signatory.signed_by_id == user.id))
            .options(*slot_loading())
            .order_by(Convention.opened_at.desc(), Signatory.id)
        )
    )


def inbox(user: User, today: date) -> Inbox:
    """The person's inbox: to sign (longest waiting first), waiting or blocked, signed (newest first)."""
    slots = _my_slots(user, today)
    conventions = list({slot.convention_id: slot.convention for slot in slots}.values())
    prepare(conventions, today)
    stages = {c.id: circuit.open_stage(c) for c in conventions}
    result = Inbox()
    for slot in slots:
        item = InboxItem(slot, circuit.slot_status(slot, today, stages[slot.convention_id]))
        group = {circuit.TO_SIGN: result.to_sign, circuit.SIGNED: result.signed}.get(item.status.code, result.pending)
        group.append(item)
    result.to_sign.sort(key=lambda item: (item.slot.invited_at is None, item.slot.invited_at))
    result.signed.sort(key=lambda item: item.slot.signed_at or EPOCH, reverse=True)
    return result
