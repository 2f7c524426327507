"""Signing by delegation: a deputy signs an office's slot under an arrêté of delegation.

The deputy signs with their own key and certificate; the stamp, the signature's reason and the
audit entry name the order (« Pour le maire et par délégation », arrêté n° … du …).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from convsign.extensions import db
from convsign.models import Delegation, Office, OfficeKind, User
from convsign.pdf.generation import format_date_fr

# In the French of the acts: « Pour le maire et par délégation ».
_FOR_OFFICE = {
    OfficeKind.MAYOR: "Pour le maire et par délégation",
    OfficeKind.PRESIDENT: "Pour le président et par délégation",
    OfficeKind.DIRECTOR: "Pour le directeur et par délégation",
}


def delegation_for(office: Office, user: User, day: date) -> Delegation | None:
    """The delegation in force on `day` by which `user` signs for `office`, if any."""
    candidates = db.session.scalars(
        sa.select(Delegation)
        .where(
            Delegation.office_id == office.id, Delegation.delegate_user_id == user.id, Delegation.revoked_at.is_(None)
        )
        .order_by(Delegation.id.desc())
    )
    return next((d for d in candidates if d.in_force_on(day)), None)


def stamp_prefix(office: Office) -> str:
    """The formula that opens a delegated signature's stamp, after the delegating office."""
    return _FOR_OFFICE.get(office.kind, "Par délégation")


def order_text(delegation: Delegation) -> str:
    """« arrêté n° 2024-17 du 3 juillet 2024 »."""
    return f"arrêté n° {delegation.order_number} du {format_date_fr(delegation.order_date)}"


def reason_suffix(delegation: Delegation) -> str:
    """What the signature's reason adds for a delegated signature."""
    return f" — par délégation, {order_text(delegation)}"


def audit_details(delegation: Delegation | None) -> dict[str, Any]:
    """The audit particulars of a delegated signature (none for a holder's own)."""
    if delegation is None:
        return {}
    return {
        "delegation": delegation.id,
        "delegation_order": order_text(delegation),
        "delegate_title": delegation.delegate_title,
    }
