"""Convention pages: the list, the convention page and its actions (thin over the services).

The draft form lives in convsign.conventions.draft_views; access rules in convsign.conventions.access.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from convsign import labels
from convsign.conventions import access, circuit, services
from convsign.conventions import journal as convention_journal
from convsign.conventions.blueprint import bp
from convsign.conventions.document import render
from convsign.conventions.draft_views import convention_form
from convsign.conventions.forms import CancelForm, UploadForm
from convsign.documents import services as documents
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.i18n import long_date
from convsign.models import Convention, ConventionStatus, Role, SlotState
from convsign.models.deliberation import deliberation_of
from convsign.models.types import local_today, utcnow
from convsign.permissions import roles_required
from convsign.rules.deliberation_rules import is_executory

MANAGERS = (Role.ADMIN, Role.COORDINATOR)


@bp.get("/")
@login_required
def index() -> str:
    """The conventions the person may see, newest first, with their progress."""
    query = access.visible_conventions(current_user, local_today()).order_by(
        Convention.created_at.desc(), Convention.id.desc()
    )
    rows = [
        (c, sum(s.state == SlotState.SIGNED for s in c.signatories), len(c.signatories))
        for c in db.session.scalars(query)
    ]
    return render_template(
        "conventions/index.html",
        rows=rows,
        statuses=labels.CONVENTION_STATUSES,
        can_create=any(current_user.has_role(r) for r in MANAGERS),
    )


@bp.route("/nouvelle", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new() -> str | Response:
    """Prepare a new draft."""
    return convention_form(None)


@bp.route("/<int:convention_id>/modifier", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(convention_id: int) -> str | Response:
    """Change a draft (409 once it is opened: its text is frozen)."""
    convention = access.managed_convention(current_user, convention_id)
    if not convention.is_editable:
        raise services.ConventionLocked(
            _("Cette convention est ouverte à la signature : son texte ne peut plus changer.")
        )
    return convention_form(convention)


@bp.get("/<int:convention_id>")
@login_required
def show(convention_id: int) -> str:
    """The convention: its facts, its signing circuit, its revisions and the actions open to the person."""
    convention = access.visible_convention(current_user, convention_id, local_today())
    return render_template("conventions/show.html", **page_context(convention))


def page_context(convention: Convention) -> dict[str, Any]:
    """What the convention page shows; flags say which actions the person may take."""
    manages = access.may_manage(current_user, convention)
    draft = convention.status == ConventionStatus.DRAFT
    return {
        "convention": convention,
        "labels": labels,
        "period": period_text(convention),
        "objective_groups": objective_groups(convention),
        "stages": circuit_stages(convention),
        "revisions": documents.revisions(convention),
        "document_url": document_url,
        "newer": db.session.scalar(db.select(Convention).where(Convention.replaces_id == convention.id)),
        "can_edit": manages and draft,
        "can_cancel": manages and convention.status in (ConventionStatus.DRAFT, ConventionStatus.CIRCULATING),
        "can_renew": manages and convention.status == ConventionStatus.CANCELLED,
        "manages": manages,
        "deliberations": party_deliberations(convention, local_today()),
        "progress": (sum(s.state == SlotState.SIGNED for s in convention.signatories), len(convention.signatories)),
    }


def party_deliberations(convention: Convention, today: date) -> dict[int, str]:
    """Each party's deliberation, in a word for the compact table: 'non_requise', 'manquante',
    'non_executoire' or 'executoire' (the deliberation gate's own words; its page has the details)."""
    states = {}
    for party in convention.parties:
        found = deliberation_of(party)
        states[party.id] = ("non_requise" if not party.deliberation_required else "manquante" if found is None
                            else "executoire" if is_executory(found, today) else "non_executoire")
    return states


def period_text(convention: Convention) -> str:
    """'du 1er janvier 2027 au 31 décembre 2030 (4 ans)'."""
    years = services.duration_years(convention.start_date, convention.end_date)
    return str(
        _(
            "du %(start)s au %(end)s (%(duration)s)",
            start=long_date(convention.start_date),
            end=long_date(convention.end_date),
            duration=duration_text(years),
        )
    )


def duration_text(years: int) -> str:
    """'4 ans', '1 an'."""
    return str(ngettext("%(num)s an", "%(num)s ans", years))


def objective_groups(convention: Convention) -> list[tuple[str, list[str]]]:
    """(domain label, texts), domains in order of first appearance, as in the document."""
    groups: dict[str, list[str]] = {}
    for objective in convention.objectives:
        groups.setdefault(str(labels.OBJECTIVE_DOMAINS[objective.domain]), []).append(objective.text)
    return list(groups.items())


def circuit_stages(convention: Convention) -> list[tuple[int, str, list[dict[str, Any]]]]:
    """(stage, its label, its slots with their holder and status), stage by stage."""
    today = local_today()
    statuses = circuit.statuses(convention, today)
    stages = []
    for stage, slots in groupby(convention.signatories, key=lambda s: s.stage):
        rows = [{"slot": slot, "holder": _holder_name(slot, today), "status": statuses[slot.id]} for slot in slots]
        stages.append((stage, str(labels.STAGE_LABELS.get(stage, _("Étape %(n)s", n=stage))), rows))
    return stages


def _holder_name(slot: Any, today: Any) -> str | None:
    mandate = slot.office.holder_on(today)
    return mandate.user.name if mandate is not None else None


def document_url(convention_id: int, number: int, inline: bool = False) -> str:
    """The address of a revision's PDF, shown inline or downloaded."""
    endpoint = "conventions.view_document" if inline else "conventions.download_document"
    return url_for(endpoint, convention_id=convention_id, revision=number)


@bp.get("/<int:convention_id>/apercu")
@roles_required(*MANAGERS)
def preview(convention_id: int) -> Response:
    """The draft's document as it would be opened, unsigned and uncertified, shown inline."""
    convention = access.managed_convention(current_user, convention_id)
    if not convention.is_editable:
        return redirect(document_url(convention.id, convention.revision_count, inline=True))
    pdf = render(convention, utcnow()).pdf
    return FlaskResponse(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="apercu-brouillon.pdf"',
            "Cache-Control": "no-store",
            # Shown in the convention page's frame: framing by convsign itself only.
            "X-Frame-Options": "SAMEORIGIN",
            "Content-Security-Policy": "frame-ancestors 'self'",
        },
    )


@bp.route("/<int:convention_id>/texte", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def upload(convention_id: int) -> tuple[str, int] | Response:
    """Use the CAF's own PDF as the text; a refused file stores nothing and says why (422)."""
    convention = access.managed_convention(current_user, convention_id)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            services.attach_uploaded_text(convention, form.document.data.read(), current_user)
        except ValidationFailed as error:
            db.session.rollback()
            form.document.errors = [*form.document.errors, error.message]
        else:
            db.session.commit()
            flash(
                _("Le texte de la convention a été importé. Le bordereau de signature y sera ajouté à l'ouverture."),
                "success",
            )
            return redirect(url_for("conventions.show", convention_id=convention.id))
    config = current_app.config
    return render_template(
        "conventions/upload.html",
        form=form,
        convention=convention,
        max_mb=config["MAX_UPLOAD_MB"],
        max_pages=config["MAX_PDF_PAGES"],
    ), (422 if form.is_submitted() else 200)


@bp.route("/<int:convention_id>/ouvrir", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def open_for_signature(convention_id: int) -> str | Response:
    """Confirm, then freeze the text and open the first stage."""
    convention = access.managed_convention(current_user, convention_id)
    form = FlaskForm()
    if form.validate_on_submit():
        convention = documents.lock_convention(convention.id)  # two clicks must not open it twice
        try:
            services.open_convention(convention, current_user, utcnow())
        except ValidationFailed as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("La convention est ouverte à la signature : son texte est figé."), "success")
            return redirect(url_for("conventions.show", convention_id=convention.id))
    if convention.status != ConventionStatus.DRAFT:
        raise services.ConventionLocked(_("Cette convention a déjà été ouverte à la signature."))
    return render_template("conventions/open.html", convention=convention, form=form, period=period_text(convention))


@bp.route("/<int:convention_id>/annuler", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def cancel(convention_id: int) -> str | Response:
    """Cancel a draft or a circulating convention, with a reason every party will see."""
    convention = access.managed_convention(current_user, convention_id)
    form = CancelForm()
    if form.validate_on_submit():
        convention = documents.lock_convention(convention.id)
        try:
            services.cancel_convention(convention, current_user, form.reason.data or "", utcnow())
        except ValidationFailed as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            db.session.commit()
            flash(_("La convention a été annulée."), "success")
            return redirect(url_for("conventions.show", convention_id=convention.id))
    return render_template("conventions/cancel.html", convention=convention, form=form)


@bp.post("/<int:convention_id>/nouvelle-version")
@roles_required(*MANAGERS)
def renew(convention_id: int) -> Response:
    """A new draft from a cancelled convention, to change its text."""
    convention = access.managed_convention(current_user, convention_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        copy = services.new_version(convention, current_user)
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("conventions.show", convention_id=convention.id))
    db.session.commit()
    flash(_("Version %(n)s créée : modifiez-la puis ouvrez-la à la signature.", n=copy.version), "success")
    return redirect(url_for("conventions.edit", convention_id=copy.id))


@bp.get("/<int:convention_id>/journal")
@login_required
def journal(convention_id: int) -> str:
    """The convention's audit entries, newest first, as far as the person may read them."""
    convention = access.visible_convention(current_user, convention_id, local_today())
    return render_template(
        "conventions/journal.html",
        convention=convention,
        rows=convention_journal.journal(current_user, convention),
        whole=access.may_manage(current_user, convention),
    )
