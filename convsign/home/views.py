"""Home page view: where each person starts, with what awaits their signature."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from convsign.conventions import circuit
from convsign.extensions import db
from convsign.home import bp
from convsign.models import Convention, ConventionStatus, Mandate, Signatory
from convsign.models.types import local_today


def my_slots() -> list[tuple[Signatory, circuit.SlotStatus]]:
    """The slots of the offices the current user holds today, in open or finished conventions."""
    today = local_today()
    offices = sa.select(Mandate.office_id).where(
        Mandate.user_id == current_user.id, Mandate.start_date <= today,
        sa.or_(Mandate.end_date.is_(None), Mandate.end_date >= today))
    slots = db.session.scalars(
        sa.select(Signatory).join(Convention).where(
            Signatory.office_id.in_(offices),
            Convention.status.in_([ConventionStatus.CIRCULATING, ConventionStatus.SIGNED]))
        .options(selectinload(Signatory.convention).selectinload(Convention.signatories))
        .order_by(Convention.opened_at.desc())).all()
    return [(slot, circuit.slot_status(slot, today, circuit.open_stage(slot.convention))) for slot in slots]


@bp.get("/")
@login_required
def index() -> str:
    """The starting page of a logged-in person."""
    return render_template("home/index.html", slots=my_slots())
