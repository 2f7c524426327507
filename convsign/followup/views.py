"""Refusal and decision pages: thin views over convsign.followup.services, one commit each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from convsign import labels
from convsign.conventions import access, circuit
from convsign.conventions.forms import CancelForm
from convsign.errors import ConvsignError, NotFound
from convsign.followup import services
from convsign.followup.blueprint import bp
from convsign.followup.forms import CloseForm, DeadlineForm, ReassignForm, RefuseForm
from convsign.formtools import choices
from convsign.models import Convention, ConventionStatus, Role, Signatory
from convsign.models.types import local_today, utcnow
from convsign.permissions import roles_required
from convsign.signing.services import ensure_may_sign, get_slot
from convsign.view_actions import attempt, show_on_form

MANAGERS = (Role.ADMIN, Role.COORDINATOR)
Page = str | tuple[str, int]


def _attempt(action: Callable[[], Any], form: FlaskForm, on_error: Callable[[int], Page]) -> Page | None:
    """Run a service; on refusal put the message on the form (or flash it) and re-render."""
    outcome = attempt(action)
    if isinstance(outcome, ConvsignError):
        show_on_form(form, outcome)
        return on_error(outcome.status)
    return None


# The signatory's refusal -----------------------------------------------------------------------


def _slot_for_viewer(slot_id: int) -> Signatory:
    slot = get_slot(slot_id)
    access.visible_convention(current_user, slot.convention_id, local_today())
    return slot


def _refuse_page(slot_id: int, form: RefuseForm, status: int = 200) -> tuple[str, int]:
    slot = _slot_for_viewer(slot_id)
    try:
        ensure_may_sign(slot, current_user)
        why_not = None
    except ConvsignError as error:
        why_not = error.message
    return render_template(
        "followup/refuse.html", slot=slot, convention=slot.convention, form=form, why_not=why_not
    ), status


@bp.route("/signer/<int:slot_id>/refus", methods=["GET", "POST"])
@login_required
def refuse(slot_id: int) -> Page | Response:
    """Refuse to sign, with a mandatory reason sent to the coordinator."""
    slot = _slot_for_viewer(slot_id)
    form = RefuseForm()
    if not form.validate_on_submit():
        return _refuse_page(slot.id, form, 422 if form.is_submitted() else 200)
    failed = _attempt(
        lambda: services.refuse_slot(slot.id, current_user, form.reason.data or "", utcnow()),
        form,
        lambda status: _refuse_page(slot_id, form, status),
    )
    if failed is not None:
        return failed
    flash(_("Votre refus est enregistré ; le coordinateur de la convention en est informé."), "success")
    return redirect(url_for("signing.sign_page", slot_id=slot_id))


# The coordinator's decisions -------------------------------------------------------------------


def _managed(convention_id: int) -> Convention:
    return access.managed_convention(current_user, convention_id)


@bp.get("/conventions/<int:convention_id>/refus")
@roles_required(*MANAGERS)
def refusals(convention_id: int) -> str:
    """The refusals of a convention, and the decisions open to the coordinator."""
    convention = _managed(convention_id)
    circulating = convention.status == ConventionStatus.CIRCULATING
    return render_template(
        "followup/refusals.html",
        convention=convention,
        refused=services.refused_slots(convention),
        halted=circuit.halted_by_refusal(convention),
        obstacle=services.closing_obstacle(convention),
        can_cancel=circulating,
        can_extend=convention.status in (ConventionStatus.CIRCULATING, ConventionStatus.EXPIRED),
        cancel_form=CancelForm(formdata=None),
        statuses=labels.CONVENTION_STATUSES,
    )


def _refused_slot(convention: Convention, slot_id: int) -> Signatory:
    slot = next((s for s in services.refused_slots(convention) if s.id == slot_id), None)
    if slot is None:
        raise NotFound()
    return slot


def _reassign_page(convention_id: int, slot_id: int, form: ReassignForm, status: int = 200) -> tuple[str, int]:
    convention = _managed(convention_id)
    slot = _refused_slot(convention, slot_id)
    today = local_today()
    offices = services.reassignable_offices(convention, slot)
    form.office_id.choices = choices((o.id, _office_choice(o, slot, today)) for o in offices)
    return render_template("followup/reassign.html", convention=convention, slot=slot, form=form), status


def _office_choice(office: Any, slot: Signatory, today: Any) -> str:
    mandate = office.holder_on(today)
    holder = mandate.user.name if mandate is not None else _("aucun titulaire enregistré")
    current = _(" (la même fonction)") if office.id == slot.office_id else ""
    return f"{office.title}{current} — {holder}"


@bp.route("/conventions/<int:convention_id>/refus/<int:slot_id>/reattribuer", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def reassign(convention_id: int, slot_id: int) -> Page | Response:
    """Give a refused signature to another office of the organisation, or to the same one again."""
    form = ReassignForm()
    page = _reassign_page(convention_id, slot_id, form)  # checks access, sets the choices
    if not form.validate_on_submit():
        return (page[0], 422) if form.is_submitted() else page
    failed = _attempt(
        lambda: services.reassign_slot(convention_id, slot_id, form.office_id.data, current_user, utcnow()),
        form,
        lambda status: _reassign_page(convention_id, slot_id, form, status),
    )
    if failed is not None:
        return failed
    flash(_("La signature est réattribuée : son titulaire est invité à signer."), "success")
    return redirect(url_for("followup.refusals", convention_id=convention_id))


def _close_page(convention_id: int, form: CloseForm, status: int = 200) -> tuple[str, int]:
    convention = _managed(convention_id)
    return render_template(
        "followup/close.html",
        convention=convention,
        form=form,
        refused=services.refused_slots(convention),
        obstacle=services.closing_obstacle(convention),
    ), status


@bp.route("/conventions/<int:convention_id>/refus/cloturer", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def close(convention_id: int) -> Page | Response:
    """Close the convention with the signatures obtained: the document is completed without the refused ones."""
    _managed(convention_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _close_page(convention_id, form, 422 if form.is_submitted() else 200)
    failed = _attempt(
        lambda: services.close_with_signatures(convention_id, current_user, form.note.data or "", utcnow()),
        form,
        lambda status: _close_page(convention_id, form, status),
    )
    if failed is not None:
        return failed
    flash(_("La convention est close avec les signatures obtenues ; toutes les parties en sont informées."), "success")
    return redirect(url_for("conventions.show", convention_id=convention_id))


def _deadline_page(convention_id: int, form: DeadlineForm, status: int = 200) -> tuple[str, int]:
    convention = _managed(convention_id)
    can_extend = convention.status in (ConventionStatus.CIRCULATING, ConventionStatus.EXPIRED)
    return render_template("followup/deadline.html", convention=convention, form=form, can_extend=can_extend), status


@bp.route("/conventions/<int:convention_id>/echeance", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def deadline(convention_id: int) -> Page | Response:
    """Push the signing deadline back (an expired convention circulates again)."""
    _managed(convention_id)
    form = DeadlineForm()
    if not form.validate_on_submit():
        return _deadline_page(convention_id, form, 422 if form.is_submitted() else 200)
    assert form.deadline.data is not None
    new_date = form.deadline.data
    failed = _attempt(
        lambda: services.extend_deadline(convention_id, new_date, current_user, local_today()),
        form,
        lambda status: _deadline_page(convention_id, form, status),
    )
    if failed is not None:
        return failed
    flash(_("La date limite de signature est reportée."), "success")
    return redirect(url_for("conventions.show", convention_id=convention_id))
