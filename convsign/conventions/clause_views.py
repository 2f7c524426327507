"""Clause pages: a draft's articles (its coordinator) and the instance's default models (administrators)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from convsign import labels
from convsign.clauses import services
from convsign.conventions import access
from convsign.conventions.clause_blueprint import bp
from convsign.conventions.clause_forms import ClauseForm, ModelForm, apply_row_action, rows
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import ConventionKind, Role
from convsign.permissions import roles_required


@bp.route("/conventions/<int:convention_id>/clauses", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.COORDINATOR)
def edit_convention(convention_id: int) -> str | Response | tuple[str, int]:
    """A draft's articles, action plan, visas and diagnostic; 409 once the convention is opened."""
    convention = access.managed_convention(current_user, convention_id)
    if not convention.is_editable:
        raise services.ClausesLocked(_("Cette convention est ouverte à la signature : son texte ne peut plus changer."))
    if request.method == "GET" and services.clauses_of(convention) is None:
        services.ensure_clauses(convention)  # an older draft takes the default model (upgrade path)
        db.session.commit()
    form = ClauseForm(data=None if request.method == "POST" else _clause_data(convention))
    action = request.form.get("action", "save") if request.method == "POST" else None
    focus = None
    if action == "reset" and form.validate_on_submit():
        services.reset_clauses(convention, current_user)
        db.session.commit()
        flash(_("Les articles du modèle par défaut ont été repris."), "success")
        return redirect(url_for("clauses.edit_convention", convention_id=convention.id))
    if action not in (None, "save", "reset"):
        focus = apply_row_action(form, action)
    elif action == "save" and form.validate_on_submit():
        try:
            services.save_clauses(convention, _clause_input(form), current_user)
        except ValidationFailed as error:
            db.session.rollback()
            _show(form, error)
        else:
            db.session.commit()
            flash(_("Clauses enregistrées. Vérifiez l'aperçu avant d'ouvrir la convention."), "success")
            return redirect(url_for("clauses.edit_convention", convention_id=convention.id))
    page = render_template("clauses/convention.html", form=form, convention=convention, focus=focus,
                           model=_model_of(convention))
    return (page, 422) if form.errors or _has_row_errors(form) else page


@bp.route("/admin/modeles/<any(ctg, autre):kind>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_model(kind: str) -> str | Response | tuple[str, int]:
    """The instance's default model of a convention type; saving makes a new version."""
    convention_kind = ConventionKind(kind)
    current = services.default_model(convention_kind)
    form = ModelForm(data=None if request.method == "POST" else _model_data(current))
    action = request.form.get("action", "save") if request.method == "POST" else None
    focus = None
    if action not in (None, "save"):
        focus = apply_row_action(form, action)
    elif action == "save" and form.validate_on_submit():
        try:
            saved = services.save_default_model(convention_kind, _model_input(form), current_user)
        except ValidationFailed as error:
            db.session.rollback()
            _show(form, error)
        else:
            db.session.commit()
            flash(_("Modèle enregistré (version %(n)s). Les conventions déjà rédigées gardent leurs clauses.",
                    n=saved.version), "success")
            return redirect(url_for("clauses.edit_model", kind=kind))
    db.session.commit()  # version 1 may have just been created from the shipped text
    page = render_template("clauses/model.html", form=form, kind=convention_kind, focus=focus,
                           kind_label=labels.CONVENTION_KINDS[convention_kind], current=current,
                           versions=services.model_versions(convention_kind), kinds=labels.CONVENTION_KINDS)
    return (page, 422) if form.errors or _has_row_errors(form) else page


def _model_of(convention: Any) -> Any:
    clauses = services.clauses_of(convention)
    return clauses.model if clauses is not None else None


def _clause_data(convention: Any) -> dict[str, Any]:
    clauses = services.ensure_clauses(convention)
    return {
        "visas": clauses.visas, "place": clauses.place, "diagnostic": clauses.diagnostic,
        "articles": [{"title": a.title, "text": a.text} for a in services.articles_of(convention)],
        "actions": [{"objective": a.objective, "action": a.action, "lead": a.lead, "calendar": a.calendar}
                    for a in services.actions_of(convention)],
    }


def _model_data(model: Any) -> dict[str, Any]:
    return {"title_pattern": model.title_pattern, "preamble": model.preamble, "visas": model.visas,
            "place": model.place, "articles": [{"title": a.title, "text": a.text} for a in model.articles]}


def _articles(form: ClauseForm | ModelForm) -> tuple[services.ArticleData, ...]:
    return tuple(services.ArticleData(r["title"] or "", r["text"] or "") for r in rows(form.articles))


def _clause_input(form: ClauseForm) -> services.ClauseData:
    actions = tuple(services.ActionData(r["objective"] or "", r["action"] or "", r["lead"] or "", r["calendar"] or "")
                    for r in rows(form.actions) if any((r[k] or "").strip() for k in r))
    return services.ClauseData(visas=form.visas.data or "", place=form.place.data or "",
                               diagnostic=form.diagnostic.data or "", articles=_articles(form), actions=actions)


def _model_input(form: ModelForm) -> services.ModelData:
    return services.ModelData(title_pattern=form.title_pattern.data or "", preamble=form.preamble.data or "",
                              visas=form.visas.data or "", place=form.place.data or "", articles=_articles(form))


def _show(form: ClauseForm | ModelForm, error: ValidationFailed) -> None:
    """Put the service's refusal on the field it names (« articles-3-text »); a whole list's on the page."""
    list_name, _sep, rest = (error.field or "").partition("-")
    field = None
    if list_name == "articles" and rest:
        index, _dash, sub = rest.partition("-")
        field = form.articles.entries[int(index)].form[sub]
    elif error.field not in (None, "articles", "actions"):
        field = getattr(form, error.field or "", None)
    form.refused = True
    if field is None:
        flash(error.message, "error")
        return
    field.errors = [*field.errors, error.message]


def _has_row_errors(form: ClauseForm | ModelForm) -> bool:
    return bool(getattr(form, "refused", False))
