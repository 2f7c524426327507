"""Convention forms: they check shape; convsign.conventions.services checks the rules.

The convention form works without JavaScript: its secondary buttons ("toutes les communes",
"Ajouter un objectif", "Proposer les signataires"…) submit it with an `action` and the view
re-renders it with everything typed, changed as asked, and nothing saved.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from flask_wtf.i18n import translations
from wtforms import DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from convsign.formtools import CheckboxesField, choices
from convsign.labels import CONVENTION_KINDS, OBJECTIVE_DOMAINS
from convsign.models import ObjectiveDomain

DOMAIN_CHOICES = choices((d.value, label) for d, label in OBJECTIVE_DOMAINS.items())
DOMAIN_ORDER = {d.value: i for i, d in enumerate(ObjectiveDomain)}
ROW_NAMES = {"objectives": _l("Objectif"), "signatories": _l("Signataire")}


def optional_int(value: Any) -> int | None:
    """An integer from a select or a number input, None when left empty (or not a number)."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TranslatedRow(Form):
    """A repeated row (a plain WTForms form): WTForms' own messages in the page's language, as a FlaskForm has."""

    class Meta:
        def get_translations(self, form: Form) -> Any:
            return translations


class ObjectiveRow(TranslatedRow):
    """One objective: its domain, its text, and its rank within the domain."""

    domain = SelectField(_l("Domaine"), choices=DOMAIN_CHOICES)
    text = TextAreaField(_l("Objectif"), validators=[Optional(), Length(max=2000)])
    rank = IntegerField(
        _l("Rang"),
        validators=[Optional(), NumberRange(min=1, max=999)],
        description=_l("Changez le rang puis enregistrez pour réordonner."),
    )


class SignatoryRow(TranslatedRow):
    """One signing office and its stage."""

    office_id = SelectField(
        _l("Fonction signataire"),
        coerce=optional_int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choisissez une fonction ou retirez la ligne."))],
    )
    stage = IntegerField(
        _l("Étape"),
        validators=[
            InputRequired(message=_l("Indiquez l'étape (de 1 à 9).")),
            NumberRange(min=1, max=9, message=_l("Les étapes sont numérotées de 1 à 9.")),
        ],
    )


class ConventionForm(FlaskForm):
    """A draft convention: its facts, parties, objectives and signatories.

    The view sets the choices of the organisation fields and of each signatory row; the
    `validate_*` methods refuse a value that was not offered.
    """

    title = StringField(
        _l("Titre"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("Par exemple : Convention Territoriale Globale 2027-2030."),
    )
    reference = StringField(
        _l("Référence"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Votre référence interne, par exemple CTG-2027."),
    )
    kind = SelectField(
        _l("Type de convention"), choices=choices((k.value, label) for k, label in CONVENTION_KINDS.items())
    )
    lead_id = SelectField(
        _l("Intercommunalité porteuse"),
        coerce=optional_int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choisissez l'intercommunalité porteuse."))],
    )
    caf_id = SelectField(_l("Caisse d'allocations familiales"), coerce=optional_int, validate_choice=False)
    start = DateField(_l("Début"), validators=[DataRequired(message=_l("Indiquez la date de début."))])
    end = DateField(_l("Fin"), validators=[DataRequired(message=_l("Indiquez la date de fin."))])
    deadline = DateField(
        _l("Date limite de signature (facultative)"),
        validators=[Optional()],
        description=_l("Après cette date, plus personne ne peut signer."),
    )
    preamble = TextAreaField(_l("Préambule"), validators=[Optional(), Length(max=20000)])
    steering_committee = TextAreaField(
        _l("Comité de pilotage"),
        validators=[Optional(), Length(max=10000)],
        description=_l("Sa composition et la fréquence de ses réunions."),
    )
    party_ids = CheckboxesField(_l("Parties"), coerce=int, validate_choice=False)
    objectives = FieldList(FormField(ObjectiveRow), label=_l("Objectifs"))
    new_objective_domain = SelectField(_l("Domaine du nouvel objectif"), choices=DOMAIN_CHOICES)
    signatories = FieldList(FormField(SignatoryRow), label=_l("Signataires"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Errors of a whole group (parties, signatories) raised by the services, by group name.
        self.group_errors: dict[str, list[str]] = {}

    def validate_lead_id(self, field: SelectField) -> None:
        """Only an offered intercommunality (a coordinator is offered their own)."""
        if field.data is not None and str(field.data) not in _offered(field):
            raise ValidationError(_l("Choisissez une intercommunalité de la liste."))

    def validate_caf_id(self, field: SelectField) -> None:
        """Only an offered CAF, or none."""
        if field.data is not None and str(field.data) not in _offered(field):
            raise ValidationError(_l("Choisissez une CAF de la liste."))

    def validate_party_ids(self, field: CheckboxesField) -> None:
        """Only offered organisations."""
        if any(str(value) not in _offered(field) for value in field.data or []):
            raise ValidationError(_l("Une organisation cochée n'est pas proposée : rechargez la page."))

    def objective_rows(self) -> list[dict[str, Any]]:
        """The objective rows as typed, grouped by domain (in the domains' order), then by rank."""
        rows = [
            {"domain": e.form.domain.data, "text": e.form.text.data or "", "rank": e.form.rank.data}
            for e in self.objectives.entries
        ]
        ordered = sorted(
            enumerate(rows),
            key=lambda pair: (
                DOMAIN_ORDER.get(pair[1]["domain"], len(DOMAIN_ORDER)),
                pair[1]["rank"] if pair[1]["rank"] is not None else 10**6,
                pair[0],
            ),
        )
        ranks: dict[str, int] = {}
        for _index, row in ordered:
            ranks[row["domain"]] = row["rank"] = ranks.get(row["domain"], 0) + 1
        return [row for _index, row in ordered]

    def signatory_rows(self) -> list[dict[str, Any]]:
        """The signatory rows as typed, by stage (a row without a stage last)."""
        rows = [{"office_id": e.form.office_id.data, "stage": e.form.stage.data} for e in self.signatories.entries]
        return sorted(rows, key=lambda row: row["stage"] if row["stage"] is not None else 10)

    def summary(self) -> list[tuple[str, str, str]]:
        """Every error as (id of the field to go to, its label, the message), in the page's order."""
        found: list[tuple[str, str, str]] = []
        for field in self:
            if field.name == "csrf_token":
                continue
            if isinstance(field, FieldList):
                found += _row_errors(field, ROW_NAMES.get(field.name, field.label.text))
                found += [(field.id, str(field.label.text), m) for m in self.group_errors.get(field.name, [])]
            else:
                found += [(field.id, str(field.label.text), str(m)) for m in field.errors]
        return found


def refill(field_list: FieldList, rows: list[dict[str, Any]]) -> None:
    """Replace a FieldList's rows (numbered again from 0) by `rows`."""
    field_list.entries = []
    field_list.last_index = -1
    for row in rows:
        field_list.append_entry(row)


def _row_errors(field_list: FieldList, row_name: Any) -> list[tuple[str, str, str]]:
    found = []
    for number, entry in enumerate(field_list.entries, start=1):
        for sub in entry.form:
            label = f"{row_name} {number} – {sub.label.text}"
            found += [(sub.id, label, str(m)) for m in sub.errors]
    return found


def _offered(field: Any) -> set[str]:
    return {str(choice.value) for choice in field.choices or []}


class CancelForm(FlaskForm):
    """Why the convention is cancelled (shown to every party)."""

    reason = TextAreaField(
        _l("Motif de l'annulation"),
        validators=[DataRequired(message=_l("Indiquez le motif de l'annulation.")), Length(max=2000)],
        description=_l("Il sera visible de toutes les parties."),
    )


class UploadForm(FlaskForm):
    """The CAF's own text, as a PDF."""

    document = FileField(
        _l("Texte de la convention (PDF)"), validators=[FileRequired(message=_l("Choisissez un fichier PDF."))]
    )
