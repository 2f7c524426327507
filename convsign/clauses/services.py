"""Clause rules: the instance's versioned default models, and the clauses of one draft.

A model edit saves a new version and never touches a convention: a draft copies its model's
clauses once (at creation, or when an older draft is first edited) and keeps its own copy; an
opened convention is a frozen PDF. Services flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.clauses.defaults import DEFAULTS
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import (
    Convention,
    ConventionAction,
    ConventionArticle,
    ConventionClauses,
    ConventionKind,
    ConventionModel,
    ModelArticle,
    User,
)

# Stated limits: the document benchmark renders a model at these limits within its budget.
MAX_ARTICLES = 200
MAX_ARTICLE_CHARS = 100_000
MAX_TITLE_CHARS = 200
MAX_ACTIONS = 200
MAX_CHARS_TEXT = "100\u202f000"


@dataclass(frozen=True)
class ArticleData:
    """An article as typed: a title and a text in the clause markup."""

    title: str
    text: str


@dataclass(frozen=True)
class ActionData:
    """A line of the action plan."""

    objective: str
    action: str
    lead: str
    calendar: str


@dataclass(frozen=True)
class ModelData:
    """What the model form carries."""

    title_pattern: str
    preamble: str
    visas: str
    place: str
    articles: tuple[ArticleData, ...]


@dataclass(frozen=True)
class ClauseData:
    """What a draft's clause form carries."""

    visas: str
    place: str
    diagnostic: str
    articles: tuple[ArticleData, ...]
    actions: tuple[ActionData, ...]


class ClausesLocked(ValidationFailed):
    """An opened convention's clauses cannot change."""

    status = 409


def default_model(kind: ConventionKind) -> ConventionModel:
    """The version in force of `kind`'s default model; version 1 is created from the shipped text if missing."""
    model = db.session.scalar(
        sa.select(ConventionModel).where(ConventionModel.kind == kind).order_by(ConventionModel.version.desc())
    )
    if model is not None:
        return model
    shipped = DEFAULTS[kind.value]
    model = ConventionModel(kind=kind, version=1, title_pattern=shipped.title_pattern, preamble=shipped.preamble,
                            visas=shipped.visas, place=shipped.place)
    model.articles = [ModelArticle(position=i, title=t, text=x) for i, (t, x) in enumerate(shipped.articles)]
    db.session.add(model)
    db.session.flush()
    return model


def model_versions(kind: ConventionKind) -> list[ConventionModel]:
    """Every saved version of `kind`'s model, newest first."""
    default_model(kind)
    return list(db.session.scalars(
        sa.select(ConventionModel).where(ConventionModel.kind == kind).order_by(ConventionModel.version.desc())))


def check_articles(articles: tuple[ArticleData, ...]) -> None:
    """Refuse an empty title or text, or a model past the stated limits, naming the field at fault."""
    if not articles:
        raise ValidationFailed(_("Gardez au moins un article."), field="articles")
    if len(articles) > MAX_ARTICLES:
        raise ValidationFailed(_("Au plus %(n)s articles.", n=MAX_ARTICLES), field="articles")
    for index, article in enumerate(articles):
        if not article.title.strip():
            raise ValidationFailed(_("Donnez un titre à l'article."), field=f"articles-{index}-title")
        if len(article.title) > MAX_TITLE_CHARS:
            raise ValidationFailed(_("Au plus %(n)s caractères.", n=MAX_TITLE_CHARS), field=f"articles-{index}-title")
        if not article.text.strip():
            raise ValidationFailed(_("Le texte de l'article est vide."), field=f"articles-{index}-text")
        if len(article.text) > MAX_ARTICLE_CHARS:
            raise ValidationFailed(_("Au plus %(n)s caractères par article.", n=MAX_CHARS_TEXT),
                                   field=f"articles-{index}-text")


def save_default_model(kind: ConventionKind, data: ModelData, actor: User) -> ConventionModel:
    """Save the instance's default model of `kind` as a new version; conventions keep theirs."""
    check_articles(data.articles)
    if not data.title_pattern.strip():
        raise ValidationFailed(_("Indiquez le modèle de titre."), field="title_pattern")
    current = default_model(kind)
    model = ConventionModel(kind=kind, version=current.version + 1, title_pattern=data.title_pattern.strip(),
                            preamble=data.preamble, visas=data.visas, place=data.place.strip(), created_by=actor)
    model.articles = [ModelArticle(position=i, title=a.title.strip(), text=a.text)
                      for i, a in enumerate(data.articles)]
    db.session.add(model)
    db.session.flush()
    record("convention_model_saved", actor=actor, kind=kind.value, version=model.version,
           articles=len(data.articles))
    return model


def clauses_of(convention: Convention) -> ConventionClauses | None:
    """The convention's clause set, or None for a draft made before clause models."""
    return db.session.get(ConventionClauses, convention.id)


def articles_of(convention: Convention) -> list[ConventionArticle]:
    """The convention's articles, in order."""
    return list(db.session.scalars(sa.select(ConventionArticle).where(
        ConventionArticle.convention_id == convention.id).order_by(ConventionArticle.position)))


def actions_of(convention: Convention) -> list[ConventionAction]:
    """The convention's action plan, in order."""
    return list(db.session.scalars(sa.select(ConventionAction).where(
        ConventionAction.convention_id == convention.id).order_by(ConventionAction.position)))


def ensure_clauses(convention: Convention) -> ConventionClauses:
    """The convention's clauses; a draft without any gets a copy of its type's default model (upgrade path)."""
    existing = clauses_of(convention)
    if existing is not None:
        return existing
    if not convention.is_editable:
        raise ClausesLocked(_("Cette convention est ouverte à la signature : ses clauses ne peuvent plus changer."))
    return _copy_model(convention, default_model(convention.kind))


def _copy_model(convention: Convention, model: ConventionModel) -> ConventionClauses:
    clauses = ConventionClauses(convention_id=convention.id, model_id=model.id, visas=model.visas, place=model.place,
                                diagnostic="")
    db.session.add(clauses)
    for article in model.articles:
        db.session.add(ConventionArticle(convention_id=convention.id, position=article.position,
                                         title=article.title, text=article.text))
    db.session.flush()
    return clauses


def save_clauses(convention: Convention, data: ClauseData, actor: User) -> None:
    """Replace a draft's articles, action plan, visas, place and diagnostic."""
    clauses = ensure_clauses(convention)
    check_articles(data.articles)
    if len(data.actions) > MAX_ACTIONS:
        raise ValidationFailed(_("Au plus %(n)s actions.", n=MAX_ACTIONS), field="actions")
    clauses.visas, clauses.place, clauses.diagnostic = data.visas, data.place.strip(), data.diagnostic
    _replace_rows(convention, data)
    record("convention_clauses_saved", actor=actor, convention_id=convention.id, articles=len(data.articles),
           actions=len(data.actions))


def _replace_rows(convention: Convention, data: ClauseData) -> None:
    for table in (ConventionArticle, ConventionAction):
        db.session.execute(sa.delete(table).where(table.convention_id == convention.id))
    db.session.add_all(ConventionArticle(convention_id=convention.id, position=i, title=a.title.strip(), text=a.text)
                       for i, a in enumerate(data.articles))
    db.session.add_all(ConventionAction(convention_id=convention.id, position=i, objective=a.objective,
                                        action=a.action, lead=a.lead, calendar=a.calendar)
                       for i, a in enumerate(data.actions))
    db.session.flush()


def reset_clauses(convention: Convention, actor: User) -> None:
    """Take the default model in force again for a draft's visas and articles (the action plan is kept)."""
    clauses = ensure_clauses(convention)
    model = default_model(convention.kind)
    db.session.execute(sa.delete(ConventionArticle).where(ConventionArticle.convention_id == convention.id))
    clauses.model_id, clauses.visas = model.id, model.visas
    db.session.add_all(ConventionArticle(convention_id=convention.id, position=a.position, title=a.title, text=a.text)
                       for a in model.articles)
    db.session.flush()
    record("convention_clauses_reset", actor=actor, convention_id=convention.id, model_version=model.version)


def copy_clauses(source: Convention, target: Convention) -> None:
    """A new version of a convention starts from the clauses of the one it replaces."""
    clauses = clauses_of(source)
    if clauses is None:
        return
    db.session.add(ConventionClauses(convention_id=target.id, model_id=clauses.model_id, visas=clauses.visas,
                                     place=clauses.place, diagnostic=clauses.diagnostic))
    data = ClauseData("", "", "", tuple(ArticleData(a.title, a.text) for a in articles_of(source)),
                      tuple(ActionData(a.objective, a.action, a.lead, a.calendar) for a in actions_of(source)))
    _replace_rows(target, data)


def title_from_pattern(pattern: str, first_year: int, last_year: int) -> str:
    """The new draft's suggested title: ``{debut_annee}`` and ``{fin_annee}`` filled in."""
    return pattern.replace("{debut_annee}", str(first_year)).replace("{fin_annee}", str(last_year))
