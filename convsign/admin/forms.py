"""Administration forms: they check shape; convsign.admin.services checks the rules."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from convsign.formtools import CheckboxesField, choices
from convsign.labels import OFFICE_KINDS, ORGANISATION_KINDS, ROLES


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class OrganisationForm(FlaskForm):
    """An organisation."""

    kind = SelectField(_l("Type"), choices=choices((k.value, label) for k, label in ORGANISATION_KINDS.items()))
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    siren = StringField(_l("SIREN"), validators=[DataRequired(), Length(max=20)],
                        description=_l("9 chiffres, par exemple 216205237."))
    insee_code = StringField(_l("Code INSEE (communes)"), validators=[Optional(), Length(max=5)],
                             description=_l("5 caractères, par exemple 62523."))
    population = IntegerField(_l("Population"), validators=[Optional(), NumberRange(min=0, max=100_000_000)])
    parent_id = SelectField(_l("Intercommunalité de rattachement"), coerce=_optional_int, validate_choice=False)


class UserForm(FlaskForm):
    """An account: invited by e-mail when created."""

    name = StringField(_l("Nom et prénom"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Adresse électronique"),
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    roles = CheckboxesField(_l("Rôles"), choices=choices((r.value, label) for r, label in ROLES.items()),
                            validators=[DataRequired(message=_l("Choisissez au moins un rôle."))])
    organisation_id = SelectField(_l("Organisation"), coerce=_optional_int, validate_choice=False)
    preferred_language = SelectField(_l("Langue"), choices=choices([("fr", "Français"), ("en", "English")]))


class MandateForm(FlaskForm):
    """A person holding an office from a date."""

    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False)
    office_kind = SelectField(_l("Fonction"), choices=choices((k.value, label) for k, label in OFFICE_KINDS.items()))
    office_title = StringField(_l("Intitulé de la fonction"), validators=[DataRequired(), Length(max=200)],
                               description=_l("Tel qu'il figurera au bordereau : « Maire de Loison-sous-Lens »."))
    user_id = SelectField(_l("Titulaire"), coerce=int, validate_choice=False)
    start_date = DateField(_l("Début du mandat"), validators=[DataRequired()])
    end_date = DateField(_l("Fin du mandat (si connue)"), validators=[Optional()])
