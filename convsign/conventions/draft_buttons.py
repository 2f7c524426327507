"""The draft form's secondary buttons, which work without JavaScript.

Each submits the whole form with an `action`; these functions change the form as asked (rows
added, removed, sorted; parties or signatories filled in) and it is re-rendered, nothing saved.
Each returns the id of the field to focus on the re-rendered page, if any.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash
from flask_babel import gettext as _

from convsign.conventions import services
from convsign.conventions.forms import ConventionForm, refill
from convsign.extensions import db
from convsign.models import ObjectiveDomain, Office, Organisation

ROW_ACTIONS = ("remove_objective:", "remove_signatory:")


def apply_action(form: ConventionForm, action: str) -> str | None:
    """Change the form as a secondary button asks; returns the id of the field to focus, if any."""
    simple = {
        "add_communes": add_communes,
        "add_objective": add_objective,
        "reorder": reorder,
        "suggest_signatories": suggest_signatories,
        "add_signatory": add_signatory,
    }
    if action in simple:
        return simple[action](form)
    if action.startswith(ROW_ACTIONS):
        kind, _sep, name = action.partition(":")
        return remove_row(form, kind, name)
    abort(400)


def add_communes(form: ConventionForm) -> str | None:
    """Check the lead's communes (and the lead and the CAF, which must be parties too)."""
    lead_id = form.lead_id.data
    if lead_id is None:
        flash(_("Choisissez d'abord l'intercommunalité porteuse."), "error")
        return str(form.lead_id.id)
    communes = services.epci_communes(lead_id)
    extra = [lead_id, form.caf_id.data, *(c.id for c in communes)]
    form.party_ids.data = list(dict.fromkeys([*(form.party_ids.data or []), *(i for i in extra if i)]))
    flash(_("%(n)s communes cochées, avec l'intercommunalité et la CAF.", n=len(communes)), "success")
    reorder(form)
    return None


def add_objective(form: ConventionForm) -> str:
    """One more empty objective, in the chosen domain, after that domain's others."""
    domain = form.new_objective_domain.data or ObjectiveDomain.EARLY_CHILDHOOD.value
    refill(form.objectives, [*form.objective_rows(), {"domain": domain, "text": "", "rank": None}])
    refill(form.objectives, form.objective_rows())  # numbers the new row's rank
    added = [e for e in form.objectives.entries if e.form.domain.data == domain][-1]
    return str(added.form.text.id)


def reorder(form: ConventionForm) -> None:
    """Sort the rows as their domains, ranks and stages say."""
    refill(form.objectives, form.objective_rows())
    refill(form.signatories, form.signatory_rows())


def suggest_signatories(form: ConventionForm) -> str:
    """Add the default signing office of every checked party that has no row yet."""
    party_ids = [i for i in form.party_ids.data or [] if isinstance(i, int)]
    rows = form.signatory_rows()
    offices = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Office).where(Office.id.in_([r["office_id"] for r in rows if r["office_id"]]))
        )
    }
    represented = {o.organisation_id for o in offices.values()}
    missing = [
        org
        for org in db.session.scalars(
            sa.select(Organisation).where(Organisation.id.in_(party_ids)).order_by(Organisation.name)
        )
        if org.id not in represented
    ]
    suggested = services.suggested_signatories(missing)
    rows += [{"office_id": s.office_id, "stage": s.stage} for s in suggested]
    refill(form.signatories, rows)
    refill(form.signatories, form.signatory_rows())
    _report_suggestions(len(suggested), missing, {s.office_id for s in suggested})
    return "signatories"


def _report_suggestions(count: int, missing: list[Organisation], office_ids: set[int]) -> None:
    found = {o.organisation_id for o in db.session.scalars(sa.select(Office).where(Office.id.in_(office_ids)))}
    without = [org.name for org in missing if org.id not in found]
    flash(_("%(n)s signataires proposés.", n=count), "success")
    if without:
        flash(
            _(
                "Aucune fonction signataire n'est enregistrée pour : %(names)s. Un administrateur doit d'abord "
                "enregistrer le mandat de leur représentant.",
                names=", ".join(without),
            ),
            "warning",
        )


def add_signatory(form: ConventionForm) -> str:
    """One more signatory row, to choose an office for."""
    rows = form.signatory_rows()
    rows.append({"office_id": None, "stage": 1})
    refill(form.signatories, rows)
    return str(form.signatories.entries[-1].form.office_id.id)


def remove_row(form: ConventionForm, kind: str, name: str) -> str:
    """Remove the objective or signatory row named `name` (objectives-3)."""
    field_list = form.objectives if kind == "remove_objective" else form.signatories
    kept = [e for e in field_list.entries if e.name != name]
    if len(kept) == len(field_list.entries):
        abort(400)
    field_list.entries = kept
    reorder(form)
    flash(_("Ligne retirée. Enregistrez le brouillon pour confirmer."), "success")
    return str(field_list.id)
