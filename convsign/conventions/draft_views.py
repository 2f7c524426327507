"""The draft form of a convention: its initial values, its choices, and saving it.

Its secondary buttons ("toutes les communes", "Ajouter un objectif"…) are in
convsign.conventions.draft_buttons; nothing is saved until "Enregistrer le brouillon".
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from convsign import labels
from convsign.clauses import services as clauses
from convsign.conventions import services
from convsign.conventions.draft_buttons import apply_action, reorder
from convsign.conventions.forms import ConventionForm
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.formtools import choices
from convsign.models import (
    Convention,
    ConventionKind,
    ObjectiveDomain,
    Office,
    Organisation,
    OrganisationKind,
    Role,
)
from convsign.models.types import local_today


def convention_form(convention: Convention | None) -> str | Response:
    """The form of a new (`convention` None) or existing draft: GET, an action, or saving."""
    submitted = request.method == "POST"
    form = ConventionForm(data=None if submitted else initial_data(convention))
    set_choices(form)
    action = request.form.get("action", "save") if submitted else None
    focus: str | None = None
    if action is not None and action != "save":
        focus = apply_action(form, action)
        set_choices(form)
    elif form.validate_on_submit():
        saved = _save(form, convention)
        if saved is not None:
            return redirect(url_for("conventions.show", convention_id=saved.id))
    if action == "save" and not form.objectives.errors and not form.signatories.errors:
        reorder(form)  # rows in order, unless that would lose a row's error
    groups, communes = party_groups(form)
    return render_template(
        "conventions/form.html",
        form=form,
        convention=convention,
        focus=focus,
        party_groups=groups,
        communes=communes,
        objective_groups=objective_groups(form),
        office_titles=set_row_choices(form),
        duration=_duration(convention),
    )


def _duration(convention: Convention | None) -> int | None:
    if convention is None:
        return None
    return services.duration_years(convention.start_date, convention.end_date)


def initial_data(convention: Convention | None) -> dict[str, Any]:
    """The form's values: the draft's, or a new CTG's defaults (next four calendar years)."""
    if convention is None:
        start, end = services.ctg_period(local_today().year + 1)
        cafs = _organisations(OrganisationKind.CAF)
        model = clauses.default_model(ConventionKind.CTG)
        return {
            "title": clauses.title_from_pattern(model.title_pattern, start.year, end.year),
            "preamble": model.preamble,
            "kind": ConventionKind.CTG.value,
            "lead_id": _default_lead(),
            "start": start,
            "end": end,
            "caf_id": cafs[0].id if len(cafs) == 1 else None,
        }
    ranks: dict[ObjectiveDomain, int] = {}
    objectives = []
    for objective in sorted(convention.objectives, key=lambda o: (list(ObjectiveDomain).index(o.domain), o.position)):
        ranks[objective.domain] = ranks.get(objective.domain, 0) + 1
        objectives.append({"domain": objective.domain.value, "text": objective.text, "rank": ranks[objective.domain]})
    return {
        "title": convention.title,
        "reference": convention.reference,
        "kind": convention.kind.value,
        "lead_id": convention.lead_id,
        "caf_id": convention.caf_id,
        "start": convention.start_date,
        "end": convention.end_date,
        "deadline": convention.deadline,
        "preamble": convention.preamble,
        "steering_committee": convention.steering_committee,
        "party_ids": [p.organisation_id for p in convention.parties],
        "objectives": objectives,
        "signatories": [{"office_id": s.office_id, "stage": s.stage} for s in convention.signatories],
    }


def _default_lead() -> int | None:
    org = current_user.organisation
    return org.id if org is not None and org.kind == OrganisationKind.EPCI else None


def _organisations(kind: OrganisationKind) -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.kind == kind, Organisation.active).order_by(Organisation.name)
        )
    )


# Choices ---------------------------------------------------------------------------------------


def set_choices(form: ConventionForm) -> None:
    """Offer the leads the person may choose, the CAFs, and the organisations that may be parties."""
    leads = _organisations(OrganisationKind.EPCI)
    if not current_user.has_role(Role.ADMIN):
        leads = [org for org in leads if org.id == current_user.organisation_id]
    head: list[tuple[object, str]] = [] if len(leads) == 1 else [("", _("— Choisir —"))]
    form.lead_id.choices = choices(head + [(org.id, org.name) for org in leads])
    form.caf_id.choices = choices([("", _("Aucune"))] + [(o.id, o.name) for o in _organisations(OrganisationKind.CAF)])
    form.party_ids.choices = choices((org.id, org.name) for org in party_candidates(form))


def party_candidates(form: ConventionForm) -> list[Organisation]:
    """Every active organisation but the communes of other intercommunalities; checked ones always."""
    checked = [i for i in form.party_ids.data or [] if isinstance(i, int)]
    lead_id = form.lead_id.data
    query = sa.select(Organisation).where(
        sa.or_(
            sa.and_(Organisation.active, Organisation.kind != OrganisationKind.COMMUNE),
            sa.and_(Organisation.active, Organisation.parent_id == lead_id) if lead_id else sa.false(),
            Organisation.id.in_(checked),
        )
    )
    return list(db.session.scalars(query.order_by(Organisation.name)))


GROUP_ORDER = (
    OrganisationKind.EPCI,
    OrganisationKind.CAF,
    OrganisationKind.DEPARTEMENT,
    OrganisationKind.MSA,
    OrganisationKind.OTHER,
)


def party_groups(form: ConventionForm) -> tuple[list[tuple[str, list[Organisation]]], list[Organisation]]:
    """The candidate parties: (kind label, organisations) for each kind but communes, then the communes."""
    candidates = party_candidates(form)
    groups = []
    for kind in GROUP_ORDER:
        members = [org for org in candidates if org.kind == kind]
        if members:
            groups.append((str(labels.ORGANISATION_KINDS[kind]), members))
    return groups, [org for org in candidates if org.kind == OrganisationKind.COMMUNE]


def objective_groups(form: ConventionForm) -> list[tuple[str, list[tuple[int, Any]]]]:
    """The objective rows by domain, each with its number on the page (rows are kept sorted by domain)."""
    groups: dict[str, list[tuple[int, Any]]] = {}
    for number, entry in enumerate(form.objectives.entries, start=1):
        domain = entry.form.domain.data
        label = labels.OBJECTIVE_DOMAINS.get(ObjectiveDomain(domain)) if domain in DOMAIN_VALUES else None
        groups.setdefault(str(label or _("Domaine inconnu")), []).append((number, entry))
    return list(groups.items())


DOMAIN_VALUES = {d.value for d in ObjectiveDomain}


def set_row_choices(form: ConventionForm) -> dict[int, str]:
    """Each signatory row offers the offices of the checked parties (and its own); returns their titles."""
    chosen = {e.form.office_id.data for e in form.signatories.entries}
    party_ids = [i for i in form.party_ids.data or [] if isinstance(i, int)]
    offices = db.session.scalars(
        sa.select(Office)
        .join(Office.organisation)
        .where(sa.or_(Office.organisation_id.in_(party_ids), Office.id.in_([i for i in chosen if i])))
        .order_by(Organisation.name, Office.title)
    ).all()
    options = choices([("", _("— Choisir une fonction —"))] + [(o.id, o.title) for o in offices])
    for entry in form.signatories.entries:
        entry.form.office_id.choices = options
    return {o.id: o.title for o in offices}


# Saving ----------------------------------------------------------------------------------------


def _save(form: ConventionForm, convention: Convention | None) -> Convention | None:
    try:
        saved = services.save_draft(form_data(form), current_user, convention)
    except ValidationFailed as error:
        db.session.rollback()
        show_on_form(form, error)
        return None
    db.session.commit()
    flash(_("Brouillon « %(title)s » enregistré.", title=saved.title), "success")
    return saved


def form_data(form: ConventionForm) -> services.ConventionData:
    """The service's input from a validated form."""
    return services.ConventionData(
        title=form.title.data or "",
        reference=form.reference.data or "",
        kind=ConventionKind(form.kind.data),
        lead_id=form.lead_id.data,
        caf_id=form.caf_id.data,
        start=form.start.data,
        end=form.end.data,
        preamble=form.preamble.data or "",
        steering_committee=form.steering_committee.data or "",
        deadline=form.deadline.data,
        party_ids=ordered_parties(form),
        objectives=tuple(
            services.ObjectiveData(ObjectiveDomain(r["domain"]), r["text"]) for r in form.objective_rows()
        ),
        signatories=tuple(services.SignatoryData(r["office_id"], r["stage"]) for r in form.signatory_rows()),
    )


def ordered_parties(form: ConventionForm) -> tuple[int, ...]:
    """The parties as the document lists them: the lead, the CAF, other partners, then the communes."""
    orgs = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(form.party_ids.data or []))).all()
    special = {form.lead_id.data: 0, form.caf_id.data: 1}

    def key(org: Organisation) -> tuple[int, str]:
        return special.get(org.id, 3 if org.kind == OrganisationKind.COMMUNE else 2), org.name

    return tuple(org.id for org in sorted(orgs, key=key))


def show_on_form(form: ConventionForm, error: ValidationFailed) -> None:
    """Put a service's refusal beside the field (or group) it names."""
    if error.field in ("signatories", "objectives"):
        form.group_errors.setdefault(error.field, []).append(error.message)
        return
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
