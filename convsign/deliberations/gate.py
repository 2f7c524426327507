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
from convsign.models import Convention, ConventionParty, Signatory
from convsign.models.deliberation import deliberation_of
from convsign.rules.deliberation_rules import is_executory

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
    if not is_executory(deliberation, today):
        return NOT_EXECUTORY
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
