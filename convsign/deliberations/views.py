"""Deliberation pages: a convention's parties and their deliberations, recording one, waivers, files."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from convsign.conventions import access
from convsign.deliberations import confirmation, corrections, gate, services
from convsign.deliberations.blueprint import bp
from convsign.deliberations.extract import extract_pdf
from convsign.deliberations.forms import DeliberationForm, RuleForm, WaiverForm
from convsign.documents import services as documents
from convsign.errors import NotFound, ValidationFailed
from convsign.extensions import db
from convsign.models import ConventionParty
from convsign.models.deliberation import deliberation_of
from convsign.models.types import local_today

MAX_PDF_BYTES_READ = 200 * 1024 * 1024


@bp.get("/convention/<int:convention_id>")
@login_required
def convention(convention_id: int) -> str:
    """Every party of the convention with the state of its deliberation."""
    found = access.visible_convention(current_user, convention_id, local_today())
    rows = [(p, gate.deliberation_state(p, local_today()), services.may_enter(current_user, p)) for p in found.parties]
    return render_template("deliberations/convention.html", convention=found, rows=rows, gate=gate,
                           can_manage=access.may_manage(current_user, found),
                           rule_form=RuleForm(rule=found.deliberation_rule))


@bp.post("/convention/<int:convention_id>/regle")
@login_required
def rule(convention_id: int) -> BaseResponse:
    """The coordinator chooses the rule that opens the deliberation gate of this convention."""
    found = access.visible_convention(current_user, convention_id, local_today())
    form = RuleForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_("Choisissez une règle."), "rule")
    confirmation.set_rule(found, form.rule.data or "", current_user)
    db.session.commit()
    flash(_("Règle des délibérations enregistrée."), "success")
    return redirect(url_for("deliberations.convention", convention_id=convention_id))


@bp.post("/partie/<int:party_id>/confirmer")
@login_required
def confirm(party_id: int) -> BaseResponse | tuple[str, int]:
    """Confirm the deliberation on its PDF (someone other than the party's signatory)."""
    found = services.party_for_editor(current_user, party_id, local_today())
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed(_("Le formulaire a expiré : rechargez la page."))
    try:
        confirmation.confirm_deliberation(found, current_user, local_today())
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page(services.get_party(party_id), status=error.status)
    db.session.commit()
    flash(_("Délibération de %(name)s confirmée.", name=found.organisation.name), "success")
    return redirect(url_for("deliberations.party", party_id=party_id))


def _page(
    party: ConventionParty, form: DeliberationForm | None = None, waiver: WaiverForm | None = None, status: int = 200
) -> tuple[str, int]:
    deliberation = deliberation_of(party)
    if form is None:
        form = DeliberationForm(obj=deliberation)
    return render_template(
        "deliberations/party.html",
        party=party,
        deliberation=deliberation,
        form=form,
        waiver_form=waiver or WaiverForm(),
        state=gate.deliberation_state(party, local_today()),
        gate=gate,
        can_enter=services.may_enter(current_user, party),
        can_waive=access.may_manage(current_user, party.convention),
        frozen=deliberation is not None and corrections.record_frozen(deliberation),
        can_confirm=state_allows_confirmation(party),
    ), status


def state_allows_confirmation(party: ConventionParty) -> bool:
    """Show the confirmation button: an unconfirmed record, a viewer who may enter and does not sign for it."""
    deliberation = deliberation_of(party)
    return (
        deliberation is not None
        and deliberation.confirmed_by_id is None
        and not corrections.record_frozen(deliberation)
        and services.may_enter(current_user, party)
        and not confirmation.signs_for(current_user, party, local_today())
        and deliberation.recorded_by_id != current_user.id
    )


@bp.get("/partie/<int:party_id>")
@login_required
def party(party_id: int) -> tuple[str, int]:
    """A party's deliberation: what is recorded, and the form to record it."""
    return _page(services.party_for_viewer(current_user, party_id, local_today()))


def _data(form: DeliberationForm) -> services.DeliberationData:
    return services.DeliberationData(
        form.session_date.data,
        form.convocation_date.data,
        form.members_in_office.data,
        form.members_present.data,
        form.members_represented.data,
        form.secretary.data or "",
        form.rapporteur.data or "",
        form.subject.data or "",
        bool(form.unanimous.data),
        form.votes_for.data,
        form.votes_against.data,
        form.abstentions.data,
        form.number.data or "",
        (form.actes_identifier.data or "").strip() or None,
        form.sent_on.data,
        form.acknowledged_on.data,
        form.published_on.data,
        (form.publication_mode.data or "").strip() or None,
        form.executory_on.data,
    )


def _show_problems(form: FlaskForm, error: ValidationFailed) -> None:
    found = error.problems if isinstance(error, services.DeliberationInvalid) else [(error.field, error.message)]
    for name, message in found:
        field = getattr(form, name or "", None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")


@bp.post("/partie/<int:party_id>")
@login_required
def record(party_id: int) -> BaseResponse | tuple[str, int]:
    """Record or correct the deliberation (and keep its PDF, if one is sent)."""
    found = services.party_for_editor(current_user, party_id, local_today())
    form = DeliberationForm()
    if not form.validate_on_submit():
        return _page(found, form, status=422)
    try:
        deliberation = services.record_deliberation(found, _data(form), current_user)
        upload = form.pdf.data
        if upload and getattr(upload, "filename", ""):
            services.attach_pdf(deliberation, upload.read(MAX_PDF_BYTES_READ), current_user)
    except ValidationFailed as error:
        db.session.rollback()
        _show_problems(form, error)
        return _page(services.get_party(party_id), form, status=error.status)
    db.session.commit()
    flash(_("Délibération de %(name)s enregistrée.", name=found.organisation.name), "success")
    return redirect(url_for("deliberations.party", party_id=party_id))


@bp.post("/partie/<int:party_id>/dispense")
@login_required
def waive(party_id: int) -> BaseResponse | tuple[str, int]:
    """The coordinator dispenses the party from the deliberation, with a reason."""
    found = services.party_for_viewer(current_user, party_id, local_today())
    form = WaiverForm()
    if not form.validate_on_submit():
        return _page(found, waiver=form, status=422)
    services.waive(found, form.reason.data or "", current_user)
    db.session.commit()
    flash(_("%(name)s est dispensée de délibération pour cette convention.", name=found.organisation.name), "success")
    return redirect(url_for("deliberations.party", party_id=party_id))


@bp.post("/partie/<int:party_id>/exiger")
@login_required
def require(party_id: int) -> BaseResponse:
    """The coordinator withdraws the waiver."""
    found = services.party_for_viewer(current_user, party_id, local_today())
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed(_("Le formulaire a expiré : rechargez la page."))
    services.require(found, current_user)
    db.session.commit()
    flash(_("La délibération de %(name)s est de nouveau requise.", name=found.organisation.name), "success")
    return redirect(url_for("deliberations.party", party_id=party_id))


def _pdf(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/partie/<int:party_id>/extrait.pdf")
@login_required
def extract(party_id: int) -> Response:
    """The « extrait du registre des délibérations », generated from the record."""
    found = services.party_for_viewer(current_user, party_id, local_today())
    deliberation = deliberation_of(found)
    if deliberation is None:
        raise NotFound()
    return _pdf(extract_pdf(found, deliberation), f"extrait-deliberation-{found.organisation.siren}.pdf")


@bp.get("/partie/<int:party_id>/deliberation.pdf")
@login_required
def original(party_id: int) -> Response:
    """The commune's own PDF of the deliberation."""
    found = services.party_for_viewer(current_user, party_id, local_today())
    deliberation = deliberation_of(found)
    if deliberation is None or deliberation.pdf_sha256 is None:
        raise NotFound()
    return _pdf(documents.store().get(deliberation.pdf_sha256), f"deliberation-{found.organisation.siren}.pdf")
