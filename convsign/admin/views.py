"""Administration pages: thin views over convsign.admin.services."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from convsign.admin import services
from convsign.admin.blueprint import bp
from convsign.admin.forms import MandateForm, OrganisationForm, UserForm
from convsign.auth.services import send_link
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.formtools import choices
from convsign.models import Mandate, Office, OfficeKind, Organisation, OrganisationKind, Role, User
from convsign.permissions import roles_required

T = TypeVar("T")


def _get_or_404(model: type[T], ident: int) -> T:
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _show_on_form(form: FlaskForm, error: ValidationFailed) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _organisation_choices(empty_label: str | None) -> list[SelectChoice]:
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    head: list[tuple[object, str]] = [("", empty_label)] if empty_label else []
    return choices(head + [(org.id, org.name) for org in orgs])


# Organisations -------------------------------------------------------------------------------

@bp.get("/organisations")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def organisations() -> str:
    """Every organisation, grouped by intercommunality."""
    orgs = db.session.scalars(
        sa.select(Organisation).order_by(Organisation.kind, Organisation.name)).all()
    return render_template("admin/organisations.html", organisations=orgs,
                           can_edit=current_user.has_role(Role.ADMIN))


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def organisation_new() -> str | Response:
    """Create an organisation."""
    return _organisation_form(None)


@bp.route("/organisations/<int:org_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def organisation_edit(org_id: int) -> str | Response:
    """Edit an organisation."""
    return _organisation_form(_get_or_404(Organisation, org_id))


def _organisation_form(org: Organisation | None) -> str | Response:
    form = OrganisationForm(obj=org)
    form.parent_id.choices = choices([("", _("Aucune"))] + [(e.id, e.name) for e in services.epcis()])
    if form.validate_on_submit():
        data = services.OrganisationData(
            OrganisationKind(form.kind.data), form.name.data or "", form.siren.data or "",
            form.insee_code.data or None, form.population.data, form.parent_id.data)
        try:
            saved = services.save_organisation(data, current_user, org)
        except ValidationFailed as error:
            db.session.rollback()
            _show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Organisation « %(name)s » enregistrée.", name=saved.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=org)


@bp.post("/organisations/<int:org_id>/<any(desactiver, reactiver):action>")
@roles_required(Role.ADMIN)
def organisation_set_active(org_id: int, action: str) -> Response:
    """Deactivate or reactivate an organisation."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    org = _get_or_404(Organisation, org_id)
    services.set_organisation_active(org, action == "reactiver", current_user)
    db.session.commit()
    flash(_("Organisation « %(name)s » mise à jour.", name=org.name), "success")
    return redirect(url_for("admin.organisations"))


# Users ---------------------------------------------------------------------------------------

@bp.get("/utilisateurs")
@roles_required(Role.ADMIN)
def users() -> str:
    """Every account."""
    people = db.session.scalars(sa.select(User).order_by(User.name)).all()
    return render_template("admin/users.html", users=people)


@bp.route("/utilisateurs/nouveau", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new() -> str | Response:
    """Invite a person: the account is created and an invitation link is e-mailed."""
    return _user_form(None)


@bp.route("/utilisateurs/<int:user_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int) -> str | Response:
    """Edit an account."""
    return _user_form(_get_or_404(User, user_id))


def _user_form(user: User | None) -> str | Response:
    form = UserForm(obj=user)
    form.organisation_id.choices = _organisation_choices(_("Aucune"))
    if user is not None and not form.is_submitted():
        form.roles.data = [r.value for r in user.roles]
    if form.validate_on_submit():
        data = services.UserData(form.name.data or "", form.email.data or "",
                                 frozenset(Role(r) for r in form.roles.data or []),
                                 form.organisation_id.data, form.preferred_language.data or "fr")
        try:
            saved = services.save_user(data, current_user, user)
        except ValidationFailed as error:
            db.session.rollback()
            _show_on_form(form, error)
        else:
            if user is None:
                send_link(saved, "invitation")  # queued with the account, in one commit
            db.session.commit()
            _after_user_saved(saved, invited=user is None)
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


def _after_user_saved(user: User, invited: bool) -> None:
    if invited:
        flash(_("Invitation envoyée à %(email)s.", email=user.email), "success")
    else:
        flash(_("Compte de %(name)s enregistré.", name=user.name), "success")


@bp.post("/utilisateurs/<int:user_id>/inviter")
@roles_required(Role.ADMIN)
def user_reinvite(user_id: int) -> Response:
    """Send a new invitation link (the old ones stay valid until used or expired)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    user = _get_or_404(User, user_id)
    send_link(user, "invitation")
    db.session.commit()
    flash(_("Invitation envoyée à %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.post("/utilisateurs/<int:user_id>/<any(desactiver, reactiver):action>")
@roles_required(Role.ADMIN)
def user_set_active(user_id: int, action: str) -> Response:
    """Deactivate or reactivate an account."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    user = _get_or_404(User, user_id)
    try:
        services.set_user_active(user, action == "reactiver", current_user)
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Compte de %(name)s mis à jour.", name=user.name), "success")
    return redirect(url_for("admin.users"))


# Mandates ------------------------------------------------------------------------------------

@bp.get("/mandats")
@roles_required(Role.ADMIN)
def mandates() -> str:
    """Every mandate, by organisation and office."""
    rows = db.session.scalars(
        sa.select(Mandate).join(Mandate.office).join(Office.organisation)
        .order_by(Organisation.name, Office.title, Mandate.start_date)).all()
    return render_template("admin/mandates.html", mandates=rows)


@bp.route("/mandats/nouveau", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def mandate_new() -> str | Response:
    """Record a mandate."""
    return _mandate_form(None)


@bp.route("/mandats/<int:mandate_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def mandate_edit(mandate_id: int) -> str | Response:
    """Edit a mandate (record its end, for instance)."""
    return _mandate_form(_get_or_404(Mandate, mandate_id))


def _mandate_form(mandate: Mandate | None) -> str | Response:
    form = MandateForm(obj=mandate)
    form.organisation_id.choices = _organisation_choices(None)
    form.user_id.choices = choices((u.id, f"{u.name} <{u.email}>") for u in
                                   db.session.scalars(sa.select(User).where(User.active).order_by(User.name)))
    if mandate is not None and not form.is_submitted():
        form.organisation_id.data = mandate.office.organisation_id
        form.office_kind.data = mandate.office.kind.value
        form.office_title.data = mandate.office.title
    if form.validate_on_submit():
        data = services.MandateData(form.organisation_id.data, OfficeKind(form.office_kind.data),
                                    form.office_title.data or "", form.user_id.data,
                                    form.start_date.data, form.end_date.data)
        try:
            services.save_mandate(data, current_user, mandate)
        except ValidationFailed as error:
            db.session.rollback()
            _show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Mandat enregistré."), "success")
            return redirect(url_for("admin.mandates"))
    return render_template("admin/mandate_form.html", form=form, mandate=mandate)
