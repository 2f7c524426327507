"""The journal of a convention: which audit entries a person may read, and how they are shown.

Who sees what: the convention's managers (its coordinators, the administrators) read every entry
recorded for it. Anyone else who may see the convention (the parties' people) reads the entries
of their own organisation, that is the entries whose actor belonged to it when acting (the
organisation is recorded in each entry), plus their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from convsign.audit.labels import entry_label, role_label
from convsign.conventions.access import may_manage
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, Signatory, User


@dataclass(frozen=True)
class JournalRow:
    """One entry as the journal shows it (labels already in the reader's language)."""

    id: int
    at: datetime
    actor: str | None
    role: str | None
    action: str
    slot: str | None
    sha256_before: str | None
    sha256_after: str | None
    certificate_sha256: str | None
    entry_hash: str


def entries_for(user: User, convention: Convention) -> sa.Select[AuditEntry]:
    """The convention's entries `user` may read, newest first."""
    query = sa.select(AuditEntry).where(AuditEntry.convention_id == convention.id)
    if not may_manage(user, convention):
        own = [AuditEntry.actor_id == user.id]
        if user.organisation_id is not None:
            own.append(AuditEntry.organisation_id == user.organisation_id)
        query = query.where(sa.or_(*own))
    return query.order_by(AuditEntry.id.desc())


def journal(user: User, convention: Convention) -> list[JournalRow]:
    """The rows of the convention's journal for `user`."""
    offices = {
        slot.id: slot.office.title
        for slot in db.session.scalars(sa.select(Signatory).where(Signatory.convention_id == convention.id))
    }
    return [_row(entry, offices) for entry in db.session.scalars(entries_for(user, convention))]


def _row(entry: AuditEntry, offices: dict[int, str]) -> JournalRow:
    return JournalRow(
        id=entry.id,
        at=entry.at,
        actor=entry.actor_name,
        role=role_label(entry.actor_role),
        action=entry_label(entry.action, entry.details),
        slot=offices.get(entry.slot_id) if entry.slot_id else None,
        sha256_before=entry.sha256_before,
        sha256_after=entry.sha256_after,
        certificate_sha256=entry.certificate_sha256,
        entry_hash=entry.entry_hash,
    )
