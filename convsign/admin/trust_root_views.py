"""The trusted roots page: add a root (PEM), see its subject and validity, remove it; and register a
certificate as a person's own by its fingerprint."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from convsign.admin import trust_roots
from convsign.admin.blueprint import bp
from convsign.admin.trust_root_forms import FingerprintForm, TrustedRootForm
from convsign.errors import ConvsignError
from convsign.extensions import db
from convsign.models import CertificateFingerprint, Role, User
from convsign.models.types import utcnow
from convsign.permissions import roles_required
from convsign.signing import fingerprints
from convsign.view_actions import attempt, show_on_form


def _fingerprint_form() -> FingerprintForm:
    form = FingerprintForm()
    people = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)).all()
    form.user_id.choices = [(u.id, f"{u.name} ({u.email})") for u in people]
    return form


def _page(form: TrustedRootForm, fingerprint_form: FingerprintForm) -> str:
    registered = db.session.scalars(sa.select(CertificateFingerprint)
                                    .order_by(CertificateFingerprint.created_at.desc())).all()
    return render_template("admin/trust_roots.html", roots=trust_roots.roots(), form=form,
                           fingerprint_form=fingerprint_form, registered=registered, now=utcnow())


@bp.route("/autorites-racines", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def trust_roots_page() -> str | Response:
    """The roots added by administrators; the form adds one."""
    form = TrustedRootForm()
    if form.validate_on_submit():
        result = attempt(lambda: trust_roots.add_root(form.pem.data.encode(), current_user, utcnow()))
        if not isinstance(result, ConvsignError):
            flash(_("Autorité racine ajoutée : %(subject)s.", subject=result.subject), "success")
            return redirect(url_for("admin.trust_roots_page"))
        show_on_form(form, result, "pem")
    return _page(form, _fingerprint_form())


@bp.post("/autorites-racines/<int:root_id>/retirer")
@roles_required(Role.ADMIN)
def trust_root_remove(root_id: int) -> Response:
    """Stop trusting an added root."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    result = attempt(lambda: trust_roots.remove_root(root_id, current_user))
    if isinstance(result, ConvsignError):
        abort(result.status)
    flash(_("Autorité racine retirée."), "success")
    return redirect(url_for("admin.trust_roots_page"))


@bp.post("/autorites-racines/certificats-personnels")
@roles_required(Role.ADMIN)
def fingerprint_register() -> str | Response:
    """Register a certificate as a person's own (it need not carry their e-mail address)."""
    form = _fingerprint_form()
    if form.validate_on_submit():
        person = db.session.get(User, form.user_id.data)
        if person is None:
            abort(404)
        result = attempt(lambda: fingerprints.register(person, form.fingerprint.data, current_user, utcnow()))
        if not isinstance(result, ConvsignError):
            flash(_("Certificat enregistré pour %(name)s.", name=person.name), "success")
            return redirect(url_for("admin.trust_roots_page"))
        show_on_form(form, result, "fingerprint")
    return _page(TrustedRootForm(formdata=None), form)
