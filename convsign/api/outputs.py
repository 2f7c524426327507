"""What the API answers: conventions, their signatories and deliberations, as JSON objects."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from convsign.conventions import circuit
from convsign.deliberations import gate
from convsign.models import Convention, ConventionParty, Deliberation, Signatory, SlotState
from convsign.models.deliberation import deliberation_of


def iso(moment: date | datetime | None) -> str | None:
    """ISO 8601, or None."""
    return moment.isoformat() if moment is not None else None


def summary(convention: Convention) -> dict[str, Any]:
    """A convention in a list: its id, title, status and progress."""
    return {
        "id": convention.id,
        "title": convention.title,
        "status": convention.status.value,
        "signed": sum(s.state == SlotState.SIGNED for s in convention.signatories),
        "total": len(convention.signatories),
    }


def detail(convention: Convention, today: date) -> dict[str, Any]:
    """A convention with its parties, its signatories' statuses and the latest revision's hash."""
    statuses = circuit.statuses(convention, today)
    return {
        **summary(convention),
        "reference": convention.reference,
        "kind": convention.kind.value,
        "start": iso(convention.start_date),
        "end": iso(convention.end_date),
        "deadline": iso(convention.deadline),
        "revision_count": convention.revision_count,
        "document_sha256": convention.latest_sha256,
        "opened_at": iso(convention.opened_at),
        "completed_at": iso(convention.completed_at),
        "closed_reason": convention.closed_reason,
        "parties": [party(p, today) for p in convention.parties],
        "signatories": [signatory(slot, statuses[slot.id], today) for slot in convention.signatories],
    }


def signatory(slot: Signatory, status: circuit.SlotStatus, today: date) -> dict[str, Any]:
    """A slot: who, for whom, in which stage, and where it stands (with the reason when blocked)."""
    return {
        "id": slot.id,
        "name": _person(slot, today),
        "organisation": slot.office.organisation.name,
        "office": slot.office.title,
        "stage": slot.stage,
        "status": status.code,
        "signed_at": iso(slot.signed_at),
        "reason": slot.refusal_reason if slot.state == SlotState.REFUSED else None,
        "blocked_reason": status.reason if status.code == circuit.BLOCKED else None,
    }


def _person(slot: Signatory, today: date) -> str | None:
    """Who signed or refused; otherwise who holds the office today."""
    if slot.signed_by is not None:
        return slot.signed_by.name
    if slot.state == SlotState.REFUSED and slot.refused_by is not None:
        return slot.refused_by.name
    mandate = slot.office.holder_on(today)
    return mandate.user.name if mandate is not None else None


def party(row: ConventionParty, today: date) -> dict[str, Any]:
    """A party, whether it must deliberate, and its deliberation's state."""
    found = deliberation_of(row)
    return {
        "id": row.id,
        "organisation_id": row.organisation_id,
        "organisation": row.organisation.name,
        "siren": row.organisation.siren,
        "deliberation_required": row.deliberation_required,
        "waiver_reason": row.waiver_reason,
        "deliberation_state": gate.deliberation_state(row, today),
        "deliberation": deliberation(found) if found is not None else None,
    }


DELIBERATION_FIELDS = (
    "session_date",
    "convocation_date",
    "members_in_office",
    "members_present",
    "members_represented",
    "secretary",
    "rapporteur",
    "subject",
    "unanimous",
    "votes_for",
    "votes_against",
    "abstentions",
    "number",
    "actes_identifier",
    "sent_on",
    "acknowledged_on",
    "published_on",
    "publication_mode",
    "executory_on",
)
DATE_FIELDS = frozenset(
    {"session_date", "convocation_date", "sent_on", "acknowledged_on", "published_on", "executory_on"}
)


def deliberation(row: Deliberation) -> dict[str, Any]:
    """A deliberation's record, dates in ISO 8601."""
    values = {name: getattr(row, name) for name in DELIBERATION_FIELDS}
    return {name: iso(value) if name in DATE_FIELDS else value for name, value in values.items()}
