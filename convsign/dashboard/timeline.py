"""A convention's timeline: its audit entries, newest first, in words a coordinator reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from convsign.audit.labels import role_label
from convsign.dashboard.labels import DETAILS, action_label
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, Office, Signatory


@dataclass(frozen=True)
class Event:
    """One entry of the timeline."""

    entry_id: int
    at: datetime
    label: str
    actor: str | None
    role: str | None
    slot: str | None
    details: tuple[tuple[str, str], ...]
    document_sha256: str | None


def timeline(convention: Convention) -> list[Event]:
    """Every audit entry of `convention`, newest first (two queries: entries, then slots)."""
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.convention_id == convention.id).order_by(AuditEntry.id.desc())
    )
    slots = sa.select(Signatory.id, Office.title).join(Office).where(Signatory.convention_id == convention.id)
    offices: dict[int, str] = dict(db.session.execute(slots).all())
    return [_event(entry, offices) for entry in entries]


def _event(entry: AuditEntry, offices: dict[int, str]) -> Event:
    return Event(
        entry_id=entry.id,
        at=entry.at,
        label=action_label(entry.action),
        actor=entry.actor_name,
        role=role_label(entry.actor_role),
        slot=offices.get(entry.slot_id) if entry.slot_id is not None else None,
        details=shown_details(entry.details),
        document_sha256=entry.sha256_after,
    )


def shown_details(raw: str) -> tuple[tuple[str, str], ...]:
    """The recorded particulars the timeline shows, as (French label, value), in a fixed order."""
    try:
        details: Any = json.loads(raw or "{}")
    except ValueError:
        return ()
    if not isinstance(details, dict):
        return ()
    return tuple(
        (str(label), str(details[key])) for key, label in DETAILS.items() if details.get(key) not in (None, "")
    )
