"""Administration of delegations of signature: list, record an arrêté, end one (thin over admin.delegations)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from convsign.admin import delegations
from convsign.admin.blueprint import bp
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.formtools import choices
from convsign.models import Delegation, Office, Organisation, Role, User
from convsign.models.types import utcnow
from convsign.permissions import roles_required


class DelegationForm(FlaskForm):
    """An arrêté by which an office's holder delegates signature to a deputy."""

    office_id = SelectField(
        _l("Fonction déléguée"),
        coerce=int,
        validate_choice=False,
        description=_l("La fonction dont le délégataire signera les conventions."),
    )
    delegate_user_id = SelectField(_l("Délégataire"), coerce=int, validate_choice=False)
    delegate_title = StringField(
        _l("Qualité du délégataire"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Telle qu'elle figurera sur la signature : « Premier adjoint au maire de Loison-sous-Lens »."),
    )
    order_number = StringField(_l("Numéro de l'arrêté"), validators=[DataRequired(), Length(max=50)])
    order_date = DateField(_l("Date de l'arrêté"), validators=[DataRequired()])
    scope = TextAreaField(
        _l("Objet de la délégation"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Par exemple : signature des conventions avec la CAF."),
    )
    start_date = DateField(_l("Début"), validators=[DataRequired()])
    end_date = DateField(_l("Fin (si connue)"), validators=[Optional()])


@bp.get("/delegations")
@roles_required(Role.ADMIN)
def delegations_page() -> str:
    """Every delegation of signature."""
    return render_template("admin/delegations.html", delegations=delegations.delegations())


def _form() -> DelegationForm:
    form = DelegationForm()
    offices = db.session.scalars(sa.select(Office).join(Office.organisation).order_by(Organisation.name, Office.title))
    form.office_id.choices = choices((o.id, o.title) for o in offices)
    people = db.session.scalars(sa.select(User).where(User.active).order_by(User.name))
    form.delegate_user_id.choices = choices((u.id, f"{u.name} <{u.email}>") for u in people)
    return form


@bp.route("/delegations/nouvelle", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def delegation_new() -> str | Response:
    """Record an arrêté of delegation."""
    form = _form()
    if form.validate_on_submit():
        data = delegations.DelegationData(
            form.office_id.data,
            form.delegate_user_id.data,
            form.delegate_title.data or "",
            form.order_number.data or "",
            form.order_date.data,
            form.scope.data or "",
            form.start_date.data,
            form.end_date.data,
        )
        try:
            delegations.create_delegation(data, current_user)
        except ValidationFailed as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None)
            if field is None:
                flash(error.message, "error")
            else:
                field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            flash(_("Délégation enregistrée."), "success")
            return redirect(url_for("admin.delegations_page"))
    return render_template("admin/delegation_form.html", form=form)


@bp.post("/delegations/<int:delegation_id>/terminer")
@roles_required(Role.ADMIN)
def delegation_end(delegation_id: int) -> Response:
    """End a delegation now; the deputy's certificate for it is revoked."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None:
        abort(404)
    delegations.end_delegation(delegation, current_user, utcnow())
    db.session.commit()
    flash(_("Délégation terminée : le certificat du délégataire est révoqué."), "success")
    return redirect(url_for("admin.delegations_page"))
