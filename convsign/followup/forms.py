"""Refusal and decision forms: they check shape; convsign.followup.services checks the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from convsign.followup.services import MAX_TEXT


class RefuseForm(FlaskForm):
    """A signatory's refusal: the reason is mandatory and goes to the coordinator."""

    reason = TextAreaField(
        _l("Motif du refus"),
        validators=[DataRequired(message=_l("Indiquez le motif de votre refus.")), Length(max=MAX_TEXT)],
        description=_l("Il est transmis au coordinateur de la convention et conservé dans le journal."),
    )


class ReassignForm(FlaskForm):
    """Give a refused signature to another office of the same organisation, or the same one again."""

    office_id = SelectField(
        _l("Fonction qui signera"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choisissez une fonction."))],
    )


class CloseForm(FlaskForm):
    """Close the convention with the signatures obtained."""

    note = TextAreaField(
        _l("Motif de la clôture"),
        validators=[
            DataRequired(message=_l("Indiquez pourquoi la convention est close sans ces signatures.")),
            Length(max=MAX_TEXT),
        ],
        description=_l("Il est conservé avec la convention et dans le journal."),
    )
    confirm = BooleanField(
        _l("Je confirme : les signatures refusées resteront absentes du document."),
        validators=[DataRequired(message=_l("Cochez cette case pour confirmer."))],
    )


class DeadlineForm(FlaskForm):
    """A later signing deadline."""

    deadline = DateField(
        _l("Nouvelle date limite de signature"),
        validators=[DataRequired(message=_l("Indiquez la nouvelle date limite."))],
    )
