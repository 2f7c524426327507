"""Home page view: where each person starts, with their signature inbox (convsign.dashboard.inbox)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from convsign.conventions import circuit
from convsign.dashboard.coordination import coordination
from convsign.dashboard.inbox import Inbox, inbox
from convsign.dashboard.loading import local_day
from convsign.deliberations.gate import party_of
from convsign.home.blueprint import bp
from convsign.models.types import local_today


@bp.get("/")
@login_required
def index() -> str:
    """The starting page of a logged-in person: their signatures, and for a coordinator their conventions."""
    today = local_today()
    mine = inbox(current_user, today)
    return render_template("home/index.html", inbox=mine, local_day=local_day, parties=_blocked_parties(mine),
                           coordination=coordination(current_user, today))


def _blocked_parties(mine: Inbox) -> dict[int, int]:
    """The party (its deliberation page) of each blocked slot: where the missing deliberation is recorded."""
    parties = {}
    for item in mine.pending:
        party = party_of(item.slot) if item.status.code == circuit.BLOCKED else None
        if party is not None and party.deliberation_required:
            parties[item.slot.id] = party.id
    return parties
