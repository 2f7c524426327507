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
from convsign.models import ConventionParty, Deliberation, Signatory
from convsign.models.deliberation import deliberation_of

MISSING, NOT_EXECUTORY, EXECUTORY, NOT_REQUIRED = "manquante", "non_executoire", "executoire", "non_requise"
# Executory on paper, but resting on the word of whoever entered it: confirmation awaited.
UNCONFIRMED = "a_confirmer"
# The per-convention rules (Convention.deliberation_rule); the stricter is the default.
RULE_CONFIRMED, RULE_DECLARED = "confirmed", "declared"
RULES = (RULE_CONFIRMED, RULE_DECLARED)


def attested(deliberation: Deliberation) -> bool:
    """Whether the prefecture's system vouches for it: an @ctes identifier and the acknowledgement date."""
    return bool(deliberation.actes_identifier) and deliberation.acknowledged_on is not None


def opens_gate(party: ConventionParty, deliberation: Deliberation) -> bool:
    """Whether an executory deliberation is enough under the convention's rule.

    Under the default rule, the signatory's own word is not: the deliberation must carry the
    prefecture's acknowledgement (@ctes), or have been confirmed by someone else, on its PDF.
    """
    if party.convention.deliberation_rule == RULE_DECLARED:
        return True
    return attested(deliberation) or deliberation.confirmed_by_id is not None


def party_of(slot: Signatory) -> ConventionParty | None:
    """The convention party the slot's office signs for."""
    organisation_id = slot.office.organisation_id
    return next((p for p in slot.convention.parties if p.organisation_id == organisation_id), None)


def deliberation_state(party: ConventionParty, today: date) -> str:
    """Whether the party's deliberation is not required, missing, not yet executory, awaiting its
    confirmation (under the convention's rule), or executory."""
    if not party.deliberation_required:
        return NOT_REQUIRED
    deliberation = deliberation_of(party)
    if deliberation is None:
        return MISSING
    if deliberation.executory_on is None or deliberation.executory_on > today:
        return NOT_EXECUTORY
    if not opens_gate(party, deliberation):
        return UNCONFIRMED
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
    if state == UNCONFIRMED:
        return str(
            _(
                "bloqué : délibération à confirmer — par le coordinateur de la convention ou une autre personne "
                "de %(who)s que son signataire, sur le PDF joint (ou en saisissant l'identifiant @ctes et la date "
                "de l'accusé de réception de la préfecture)",
                who=who,
            )
        )
    return None


def register() -> None:
    """Add the gate to the circuit, once (the package may be imported by several apps)."""
    if deliberation_gate not in circuit.GATES:
        circuit.GATES.append(deliberation_gate)
