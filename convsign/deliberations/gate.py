"""The deliberation gate of the signing circuit: no signature before an executory deliberation.

Registered into `convsign.conventions.circuit.GATES` when the package is imported. The gate reads
the convention's parties (loaded once per convention) and each party's deliberation through its
relationship; pages that list many conventions load both in bulk beforehand (the dashboard's
`prefetch_deliberations`, registered in `circuit.PREFETCHERS`).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from convsign.conventions import circuit
from convsign.models import ConventionParty, Signatory
from convsign.models.deliberation import deliberation_of

MISSING, NOT_EXECUTORY, EXECUTORY, NOT_REQUIRED = "manquante", "non_executoire", "executoire", "non_requise"


def party_of(slot: Signatory) -> ConventionParty | None:
    """The convention party the slot's office signs for."""
    organisation_id = slot.office.organisation_id
    return next((p for p in slot.convention.parties if p.organisation_id == organisation_id), None)


def deliberation_state(party: ConventionParty, today: date) -> str:
    """Whether the party's deliberation is not required, missing, not yet executory, or executory."""
    if not party.deliberation_required:
        return NOT_REQUIRED
    deliberation = deliberation_of(party)
    if deliberation is None:
        return MISSING
    if deliberation.executory_on is None or deliberation.executory_on > today:
        return NOT_EXECUTORY
    return EXECUTORY


def deliberation_gate(slot: Signatory, today: date) -> str | None:
    """Why the slot waits for its party's deliberation, naming who can record it; None when it need not."""
    party = party_of(slot)
    if party is None:
        return None
    state = deliberation_state(party, today)
    who = party.organisation.name
    if state == MISSING:
        return str(
            _(
                "bloqué : délibération manquante — à enregistrer par %(who)s ou par le coordinateur de la convention",
                who=who,
            )
        )
    if state == NOT_EXECUTORY:
        return str(
            _(
                "bloqué : délibération non exécutoire — %(who)s ou le coordinateur de la convention "
                "enregistre sa transmission, sa publication et la date où elle est certifiée exécutoire",
                who=who,
            )
        )
    return None


def register() -> None:
    """Add the gate to the circuit, once (the package may be imported by several apps)."""
    if deliberation_gate not in circuit.GATES:
        circuit.GATES.append(deliberation_gate)
