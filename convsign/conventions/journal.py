"""The journal of a convention: which audit entries a person may read, and how they are shown.

Who sees what: the convention's managers (its coordinators, the administrators) read every entry
recorded for it. Anyone else who may see the convention (the parties' people) reads the entries
of their own organisation, that is the entries whose actor belonged to it when acting (the
organisation is recorded in each entry), plus their own.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from convsign.audit.labels import entry_label, role_label
from convsign.conventions.access import may_manage
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, Signatory, SigningKey, User


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
    party: str | None = None  # the organisation a deliberation entry is about
    certificate_serial: str | None = None


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
    slots = list(db.session.scalars(sa.select(Signatory).where(Signatory.convention_id == convention.id)))
    context = _Context(
        offices={slot.id: slot.office.title for slot in slots},
        certificates={slot.id: slot.certificate_sha256 for slot in slots if slot.certificate_sha256},
        parties={party.id: party.organisation.name for party in convention.parties},
        organisations={party.organisation_id: party.organisation.name for party in convention.parties},
    )
    fingerprints = [c for c in context.certificates.values() if c]
    keys = db.session.execute(sa.select(SigningKey.certificate_sha256, SigningKey.serial_hex)
                              .where(SigningKey.certificate_sha256.in_(fingerprints)))
    context.serials.update({row.certificate_sha256: row.serial_hex for row in keys})
    return [_row(entry, context) for entry in db.session.scalars(entries_for(user, convention))]


@dataclass
class _Context:
    """What the rows name: offices of slots, certificates of signatures, organisations of parties."""

    offices: dict[int, str]
    certificates: dict[int, str | None]
    parties: dict[int, str]
    organisations: dict[int, str]
    serials: dict[str, str] = dataclasses.field(default_factory=dict)


def _party(entry: AuditEntry, context: _Context) -> str | None:
    """The organisation a deliberation entry is about (its details name the party or the organisation)."""
    if not entry.action.startswith("deliberation"):
        return None
    details = json.loads(entry.details or "{}")
    return context.parties.get(details.get("party")) or context.organisations.get(details.get("organisation"))


def _row(entry: AuditEntry, context: _Context) -> JournalRow:
    # A signature's entry does not carry the certificate's fingerprint: the slot keeps it.
    certificate = entry.certificate_sha256 or (
        context.certificates.get(entry.slot_id) if entry.slot_id and entry.action == "signature_created" else None)
    return JournalRow(
        id=entry.id,
        at=entry.at,
        actor=entry.actor_name,
        role=role_label(entry.actor_role),
        action=entry_label(entry.action, entry.details),
        slot=context.offices.get(entry.slot_id) if entry.slot_id else None,
        sha256_before=entry.sha256_before,
        sha256_after=entry.sha256_after,
        certificate_sha256=certificate,
        entry_hash=entry.entry_hash,
        party=_party(entry, context),
        certificate_serial=context.serials.get(certificate) if certificate else None,
    )
