"""Pages: a person's API tokens (Mon profil › Jetons d'accès), the administrator's webhooks.

A new token, and a new webhook secret, are shown once, in the answer to the form that created
them: never in a redirect's flash message, which would carry them in the session cookie.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from convsign.api import tokens, webhooks
from convsign.api.blueprint import pages
from convsign.api.forms import TokenForm, WebhookForm
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.formtools import choices
from convsign.models import Organisation, Role
from convsign.models.types import utcnow
from convsign.permissions import roles_required

Page = str | tuple[str, int]


def _tokens_page(form: TokenForm, status: int = 200, secret: str | None = None) -> Page:
    return render_template(
        "api/tokens.html", form=form, tokens=tokens.tokens_of(current_user), now=utcnow(), secret=secret
    ), status


@pages.route("/profil/jetons", methods=["GET", "POST"])
@login_required
def tokens_page() -> Page:
    """One's tokens; the form creates one and shows it, this once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 422 if form.is_submitted() else 200)
    try:
        created = tokens.create_token(current_user, form.name.data or "", form.days.data, utcnow())
    except ValidationFailed as error:
        db.session.rollback()
        getattr(form, error.field or "name", form.name).errors = [error.message]
        return _tokens_page(form, error.status)
    db.session.commit()
    return _tokens_page(TokenForm(formdata=None), secret=created.secret)


@pages.post("/profil/jetons/<int:token_id>/revoquer")
@login_required
def revoke_token(token_id: int) -> Response:
    """Revoke one of one's tokens: it stops working at once."""
    token = tokens.own_token(current_user, token_id)
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed(_("Le formulaire a expiré : rechargez la page."))
    tokens.revoke_token(token, current_user, utcnow())
    db.session.commit()
    flash(_("Le jeton « %(name)s » est révoqué.", name=token.name), "success")
    return redirect(url_for("api_pages.tokens_page"))


def _webhooks_page(form: WebhookForm, status: int = 200, created: object = None) -> Page:
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    form.organisation_id.choices = choices([("", _("— Choisir —"))] + [(o.id, o.name) for o in organisations])
    rows = [(endpoint, webhooks.deliveries(endpoint)) for endpoint in webhooks.endpoints()]
    return render_template("api/webhooks.html", form=form, rows=rows, created=created), status


@pages.route("/admin/webhooks", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def webhooks_page() -> Page:
    """Every endpoint with its latest deliveries and their outcome; the form registers one."""
    form = WebhookForm()
    if not form.validate_on_submit():
        return _webhooks_page(form, 422 if form.is_submitted() else 200)
    data = webhooks.EndpointData(form.organisation_id.data or 0, form.url.data or "", form.secret.data or "")
    try:
        endpoint = webhooks.create_endpoint(data, current_user)
    except ValidationFailed as error:
        db.session.rollback()
        getattr(form, error.field or "url", form.url).errors = [error.message]
        return _webhooks_page(form, error.status)
    db.session.commit()
    return _webhooks_page(WebhookForm(formdata=None), created=endpoint)


@pages.post("/admin/webhooks/<int:endpoint_id>/etat")
@roles_required(Role.ADMIN)
def toggle_webhook(endpoint_id: int) -> Response:
    """Switch an endpoint off (its pending deliveries are abandoned) or back on."""
    endpoint = webhooks.get_endpoint(endpoint_id)
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed(_("Le formulaire a expiré : rechargez la page."))
    webhooks.set_active(endpoint, not endpoint.active, current_user)
    db.session.commit()
    flash(
        _("Le point de réception est activé.") if endpoint.active else _("Le point de réception est désactivé."),
        "success",
    )
    return redirect(url_for("api_pages.webhooks_page"))
