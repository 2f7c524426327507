"""The verification page: upload a PDF, read its signatures' report in French (thin over the services)."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from convsign.extensions import limiter
from convsign.verification import report, services
from convsign.verification.blueprint import bp
from convsign.verification.forms import VerifyForm
from convsign.verification.limits import person_key, verify_limit


def _page(form: VerifyForm, status: int = 200, **context: object) -> tuple[str, int]:
    config = current_app.config
    return render_template("verification/verify.html", form=form, max_mb=config["MAX_UPLOAD_MB"], **context), status


@bp.route("/verifier", methods=["GET", "POST"])
@limiter.limit(verify_limit, key_func=person_key, methods=["POST"])
@login_required
def verify() -> tuple[str, int]:
    """The form; on a valid upload, the report of every signature, the verdict and the file's place."""
    form = VerifyForm()
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    pdf = form.document.data.read()
    try:
        result = services.verify(pdf)
    except services.UnverifiableDocument as error:
        form.document.errors = [*form.document.errors, error.message]
        return _page(form, error.status)
    where = services.placement(pdf, current_user)
    titles = services.signer_titles(where)
    return _page(
        VerifyForm(formdata=None),
        lines=[report.signature_line(s, titles.get(s.field)) for s in result.signatures],
        verdict=report.verdict(result),
        unsigned=report.unsigned_changes_label(result),
        valid=result.valid,
        level=result.level,
        placement=report.placement_label(where),
        filename=form.document.data.filename,
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """A file over the limit is refused before it is read: say so on the form, not on a bare error page."""
    form = VerifyForm(formdata=None)
    form.document.errors = [services.unverifiable("too_large").message]
    return _page(form, 413)
