"""The coordinator's home: the conventions they coordinate and what waits for them.

Read-only: drafts to finish, circulating conventions with their progress, and the work that waits
for the coordinator (refusals to decide on, signatories blocked by a deliberation the coordinator
may record in the party's place).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from convsign.conventions import circuit
from convsign.dashboard.services import ConventionRow, SlotRow, load_rows
from convsign.models import Convention, ConventionParty, ConventionStatus, Role, User

FOLLOWED = (ConventionStatus.DRAFT, ConventionStatus.CIRCULATING)
MOST = 20  # conventions shown on the home page; the dashboard has them all


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for the coordinator: a slot, its convention, and the party it signs for."""

    row: ConventionRow
    slot: SlotRow
    party: ConventionParty | None


@dataclass
class Coordination:
    """What the coordinator's home shows."""

    drafts: list[ConventionRow] = field(default_factory=list)
    circulating: list[ConventionRow] = field(default_factory=list)
    refusals: list[Waiting] = field(default_factory=list)
    blocked: list[Waiting] = field(default_factory=list)


def coordination(user: User, today: date) -> Coordination | None:
    """The coordinator's conventions (their organisation's, or all for an administrator); None for others."""
    if not (user.has_role(Role.COORDINATOR) or user.has_role(Role.ADMIN)):
        return None
    query = sa.select(Convention).where(Convention.status.in_(FOLLOWED))
    if not user.has_role(Role.ADMIN):
        query = query.where(Convention.lead_id == user.organisation_id)
    rows = load_rows(query.order_by(Convention.id.desc()).limit(MOST), today)
    result = Coordination()
    for row in rows:
        if row.convention.status == ConventionStatus.DRAFT:
            result.drafts.append(row)
            continue
        result.circulating.append(row)
        for slot in row.slots:
            if slot.status.code == circuit.REFUSED:
                result.refusals.append(Waiting(row, slot, _party(row.convention, slot)))
            elif slot.status.code == circuit.BLOCKED:
                result.blocked.append(Waiting(row, slot, _party(row.convention, slot)))
    return result


def _party(convention: Convention, slot: SlotRow) -> ConventionParty | None:
    organisation_id = slot.slot.office.organisation_id
    return next((p for p in convention.parties if p.organisation_id == organisation_id), None)
