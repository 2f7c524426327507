"""The deliberation gate of the signing circuit: no signature before an executory deliberation.

Connected to the circuit's `events.slot_gate` hook at app creation (convsign.web). The gate reads
the convention's parties (loaded once per convention) and each party's deliberation through its
relationship; pages that list many conventions load both in bulk beforehand through
`prefetch_deliberations`, connected to `events.statuses_prefetch` beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from convsign.extensions import db
from convsign.models import Convention, ConventionParty, Deliberation, Signatory
from convsign.models.deliberation import deliberation_of
from convsign.rules.deliberation_rules import is_executory

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
    if not is_executory(deliberation, today):
        return NOT_EXECUTORY
    if not opens_gate(party, deliberation):
        return UNCONFIRMED
    return EXECUTORY


def deliberation_gate(slot: Signatory, *, today: date) -> str | None:
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



def prefetch_deliberations(conventions: Sequence[Convention], *, today: date) -> None:
    """Load the parties and deliberations the gate reads, for every convention at once.

    The conventions are already loaded: selecting them again by id fills their not-yet-loaded
    `parties`, each joined to its deliberation. Joined rather than a second `selectinload`: that
    would send the party ids in batches of 500 (four queries for a page of 50 conventions of 40).
    """
    deliberation = getattr(ConventionParty, "deliberation")  # noqa: B009  (a backref mypy cannot see)
    ids = [convention.id for convention in conventions]
    options = selectinload(Convention.parties).joinedload(deliberation)
    db.session.scalars(sa.select(Convention).where(Convention.id.in_(ids)).options(options)).all()
