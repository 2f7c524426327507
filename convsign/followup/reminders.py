"""What cron runs: expire conventions past their deadline, remind signatories whose turn has come.

A reminder goes to a slot "à signer" (never to one waiting for an earlier stage, nor to one
blocked: the reminder would ask for what cannot be done) once `days` have passed since its
invitation or its last reminder. The period's number is in the message's dedup key, so two runs,
even concurrent, never remind the same slot twice in a period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from convsign.audit.services import record
from convsign.conventions import circuit
from convsign.errors import NotFound, ValidationFailed
from convsign.extensions import db
from convsign.followup.notifications import queue_expiry_notice, queue_reminder
from convsign.i18n import long_date
from convsign.locks import advisory_lock
from convsign.models import Convention, ConventionStatus, Office, Signatory, User

REMINDER_LOCK = 7_310_006


@dataclass(frozen=True)
class Reminded:
    """One reminder queued."""

    convention_id: int
    slot_id: int
    office: str


def expire_due(now: datetime, today: date) -> list[int]:
    """Mark 'expirée' every circulating convention whose deadline has passed; tell its coordinators."""
    expired = db.session.scalars(
        sa.select(Convention)
        .where(Convention.status == ConventionStatus.CIRCULATING, Convention.deadline < today)
        .order_by(Convention.id)
        .with_for_update()
    ).all()
    for convention in expired:
        convention.status, convention.closed_at = ConventionStatus.EXPIRED, now
        record("convention_expired", convention_id=convention.id, deadline=convention.deadline)
        queue_expiry_notice(convention)
    return [convention.id for convention in expired]


def remind_due(now: datetime, today: date, days: int) -> list[Reminded]:
    """Queue a reminder for each slot awaiting its signature for `days` since its last notice."""
    advisory_lock(REMINDER_LOCK)  # one run at a time (PostgreSQL; SQLite writers are serialised)
    period = timedelta(days=days)
    reminded = []
    for convention in _circulating():
        stage = circuit.open_stage(convention)
        for slot in convention.signatories:
            if _is_due(slot, stage, now, today, period) and _remind(slot, now, period):
                reminded.append(Reminded(convention.id, slot.id, slot.office.title))
    return reminded


def _remind(slot: Signatory, now: datetime, period: timedelta, actor: User | None = None) -> bool:
    """Queue the reminder of the current period (numbered from the invitation) and audit it.

    The period's number is the outbox's dedup key, shared by cron and coordinators: whoever comes
    second in a period queues nothing.
    """
    assert slot.invited_at is not None
    if not queue_reminder(slot, (now - slot.invited_at) // period):
        return False
    slot.reminded_at = now
    record("signatory_reminded", actor=actor, convention_id=slot.convention_id, slot_id=slot.id,
           office=slot.office.title)
    return True


def _circulating() -> list[Convention]:
    return list(
        db.session.scalars(
            sa.select(Convention)
            .where(Convention.status == ConventionStatus.CIRCULATING)
            .order_by(Convention.id)
            .options(selectinload(Convention.signatories).selectinload(Signatory.office).selectinload(Office.mandates))
        )
    )


def _is_due(slot: Signatory, stage: int | None, now: datetime, today: date, period: timedelta) -> bool:
    if slot.invited_at is None or circuit.slot_status(slot, today, stage).code != circuit.TO_SIGN:
        return False
    return now - (slot.reminded_at or slot.invited_at) >= period


# Reminders asked by a coordinator ------------------------------------------------------------


class ReminderRefused(ValidationFailed):
    """A reminder the rule refuses: nothing to sign yet, or already reminded within the period."""


def remind_slot(convention: Convention, slot_id: int, actor: User, *, now: datetime, today: date,
                days: int) -> Signatory:
    """Remind one signatory now, on the coordinator's request: the cron's rule of at most one per period."""
    slot = next((s for s in convention.signatories if s.id == slot_id), None)
    if slot is None:
        raise NotFound()
    refusal = _why_not_remind(slot, circuit.open_stage(convention), now, today, timedelta(days=days))
    if refusal:
        raise ReminderRefused(refusal)
    if not _remind(slot, now, timedelta(days=days), actor):
        raise ReminderRefused(_("Ce signataire a déjà été relancé pendant cette période."))
    return slot


def remind_all_waiting(convention: Convention, actor: User, now: datetime, today: date, days: int) -> list[Reminded]:
    """Remind every signatory whose turn has come and who was not reminded within the period."""
    if convention.status != ConventionStatus.CIRCULATING:
        raise ReminderRefused(_("Seule une convention en circulation peut être relancée."))
    stage, period = circuit.open_stage(convention), timedelta(days=days)
    return [Reminded(convention.id, slot.id, slot.office.title) for slot in convention.signatories
            if not _why_not_remind(slot, stage, now, today, period) and _remind(slot, now, period, actor)]


def _why_not_remind(slot: Signatory, stage: int | None, now: datetime, today: date, period: timedelta) -> str | None:
    """Why this slot may not be reminded now, or None."""
    if slot.convention.status != ConventionStatus.CIRCULATING or slot.invited_at is None \
            or circuit.slot_status(slot, today, stage).code != circuit.TO_SIGN:
        return str(_("Ce signataire n'a rien à signer pour le moment : il n'y a pas lieu de le relancer."))
    if slot.reminded_at is not None and now - slot.reminded_at < period:
        return str(_("Déjà relancé le %(date)s : une relance au plus tous les %(days)s jours.",
                     date=long_date(slot.reminded_at), days=period.days))
    return None


def last_reminder(slots: list[Signatory]) -> datetime | None:
    """The latest reminder among these slots (for 'dernière relance le …')."""
    return max((s.reminded_at for s in slots if s.reminded_at is not None), default=None)
