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
from sqlalchemy.orm import selectinload

from convsign.audit.services import record
from convsign.conventions import circuit
from convsign.extensions import db
from convsign.followup.notifications import queue_expiry_notice, queue_reminder
from convsign.locks import advisory_lock
from convsign.models import Convention, ConventionStatus, Office, Signatory

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


def _remind(slot: Signatory, now: datetime, period: timedelta) -> bool:
    """Queue the reminder of the current period (numbered from the invitation) and audit it."""
    assert slot.invited_at is not None
    if not queue_reminder(slot, (now - slot.invited_at) // period):
        return False
    slot.reminded_at = now
    record("signatory_reminded", convention_id=slot.convention_id, slot_id=slot.id, office=slot.office.title)
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
