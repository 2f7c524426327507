"""Reminders asked from a page: "Relancer" one signatory, or every signatory whose turn has come.

The same rule as `flask --app app remind` (convsign.followup.reminders): at most one reminder per
period of `REMINDER_DAYS` per signatory, audited with the coordinator who asked.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from convsign.conventions import access
from convsign.errors import ConvsignError
from convsign.followup import reminders
from convsign.followup.blueprint import bp
from convsign.models import Role
from convsign.models.types import local_today, utcnow
from convsign.permissions import roles_required
from convsign.view_actions import attempt

RETURNS = {"tableau": "dashboard.index", "convention": "conventions.show"}  # the pages the buttons are on


def _back(convention_id: int) -> Response:
    """Back to the page the button was on: the dashboard or the convention (never an address sent in)."""
    anchor = f"relances-{convention_id}"
    if RETURNS.get(request.form.get("retour", "")) == "dashboard.index":
        return redirect(url_for("dashboard.index", _anchor=anchor))
    return redirect(url_for("conventions.show", convention_id=convention_id, _anchor=anchor))


@bp.post("/conventions/<int:convention_id>/relances/<int:slot_id>")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def remind_one(convention_id: int, slot_id: int) -> Response:
    """Remind one signatory whose turn has come."""
    convention = access.managed_convention(current_user, convention_id)
    days = int(current_app.config["REMINDER_DAYS"])
    outcome = attempt(lambda: reminders.remind_slot(convention, slot_id, current_user, now=utcnow(),
                                                    today=local_today(), days=days))
    if isinstance(outcome, ConvsignError):
        flash(outcome.message, "error")
    else:
        flash(_("Relance envoyée à « %(office)s ».", office=outcome.office.title), "success")
    return _back(convention_id)


@bp.post("/conventions/<int:convention_id>/relances")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def remind_all(convention_id: int) -> Response:
    """Remind every signatory whose turn has come and who was not reminded within the period."""
    convention = access.managed_convention(current_user, convention_id)
    outcome = attempt(lambda: reminders.remind_all_waiting(convention, current_user, utcnow(), local_today(),
                                                           int(current_app.config["REMINDER_DAYS"])))
    if isinstance(outcome, ConvsignError):
        flash(outcome.message, "error")
    elif outcome:
        flash(ngettext("%(num)s signataire relancé.", "%(num)s signataires relancés.", len(outcome)), "success")
    else:
        flash(_("Aucun signataire à relancer : tous ceux qui attendent ont été relancés pendant la période."), "info")
    return _back(convention_id)
