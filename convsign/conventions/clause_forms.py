"""Clause forms: the instance's default model (administrators) and a draft's clauses (coordinators).

They work without JavaScript: « Monter », « Descendre », « Retirer », « Ajouter un article »
submit the whole form with an `action`; the view applies it to the rows typed so far and shows
the form again, nothing saved until « Enregistrer ». Forms check shape; the service checks the rules.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from convsign.clauses.services import MAX_ACTIONS, MAX_ARTICLES
from convsign.conventions.forms import TranslatedRow, refill

MARKUP_HELP = _l(
    "Une ligne vide sépare deux paragraphes ; « - » en début de ligne fait une liste, « 1. » une liste numérotée ; "
    "*mots* en italique, **mots** en gras. {intercommunalite}, {caf}, {nombre_communes}, {debut}, {fin}, "
    "{periode}, {annexe_communes}, {annexe_plan} sont remplacés par leur valeur ; une ligne {objectifs} ou "
    "{comite_de_pilotage} insère les objectifs par domaine ou le texte du comité de pilotage. Tout autre "
    "caractère est imprimé tel quel."
)


class ArticleRow(TranslatedRow):
    """One article: its title and its text (the service refuses an empty one, on the field)."""

    title = StringField(_l("Titre de l'article"))
    text = TextAreaField(_l("Texte de l'article"), description=MARKUP_HELP)


class ActionRow(TranslatedRow):
    """One line of the action plan."""

    objective = TextAreaField(_l("Objectif"), validators=[Optional(), Length(max=2000)])
    action = TextAreaField(_l("Action"), validators=[Optional(), Length(max=4000)])
    lead = StringField(_l("Pilote"), validators=[Optional(), Length(max=200)])
    calendar = StringField(_l("Calendrier"), validators=[Optional(), Length(max=100)])


class _Articles(FlaskForm):
    """The rows both forms share."""

    articles = FieldList(FormField(ArticleRow), min_entries=0, max_entries=MAX_ARTICLES + 1)
    visas = TextAreaField(_l("Visas"), description=_l("Un visa par ligne, commençant par « Vu »."),
                          validators=[Optional(), Length(max=20_000)])
    place = StringField(_l("Lieu de signature (« Fait à … »)"),
                        description=_l("Le siège de l'intercommunalité. Vide : « Fait au siège de … »."),
                        validators=[Optional(), Length(max=120)])


class ModelForm(_Articles):
    """The instance's default model of one convention type."""

    title_pattern = StringField(_l("Modèle de titre"),
                                description=_l("{debut_annee} et {fin_annee} sont remplacés par les années."),
                                validators=[Optional(), Length(max=300)])
    preamble = TextAreaField(_l("Préambule proposé"), description=MARKUP_HELP,
                             validators=[Optional(), Length(max=20_000)])


class ClauseForm(_Articles):
    """A draft's articles, action plan and diagnostic summary."""

    actions = FieldList(FormField(ActionRow), min_entries=0, max_entries=MAX_ACTIONS + 1)
    diagnostic = TextAreaField(_l("Synthèse du diagnostic partagé (annexe)"), description=MARKUP_HELP,
                               validators=[Optional(), Length(max=50_000)])


def rows(field_list: FieldList) -> list[dict[str, Any]]:
    """The rows as typed (data of each entry)."""
    return [dict(entry.form.data) for entry in field_list.entries]


def apply_row_action(form: _Articles, action: str) -> str:
    """Apply « add / up / down / remove » to the article or action rows; returns the id to focus."""
    verb, _sep, target = action.partition(":")
    if verb == "add_article":
        refill(form.articles, [*rows(form.articles), {"title": "", "text": ""}])
        return str(form.articles.entries[-1].form.title.id)
    if verb == "add_action" and isinstance(form, ClauseForm):
        refill(form.actions, [*rows(form.actions), {}])
        return str(form.actions.entries[-1].form.objective.id)
    list_name, _dash, index_text = target.rpartition("-")
    field_list = getattr(form, list_name, None) if list_name in ("articles", "actions") else None
    if field_list is None or not index_text.isdigit() or int(index_text) >= len(field_list.entries):
        abort(400)
    return _move(field_list, verb, int(index_text))


def _move(field_list: FieldList, verb: str, index: int) -> str:
    data = rows(field_list)
    if verb == "remove":
        del data[index]
        refill(field_list, data)
        return str(field_list.id)
    step = {"up": -1, "down": 1}.get(verb)
    if step is None:
        abort(400)
    other = min(max(index + step, 0), len(data) - 1)
    data[index], data[other] = data[other], data[index]
    refill(field_list, data)
    first = "title" if field_list.name == "articles" else "objective"
    return f"{field_list.id}-{other}-{first}"
