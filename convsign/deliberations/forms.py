"""Deliberation forms: they check shape; convsign.deliberations.services checks the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from convsign.formtools import choices


def _count(label: str, required: bool = True) -> IntegerField:
    validators = [InputRequired() if required else Optional(), NumberRange(min=0, max=10_000)]
    return IntegerField(label, validators=validators)


class DeliberationForm(FlaskForm):
    """The council's deliberation and its transmission to the prefecture."""

    session_date = DateField(_l("Date de la séance"), validators=[DataRequired()])
    convocation_date = DateField(_l("Date de la convocation"), validators=[Optional()])
    members_in_office = _count(_l("Membres en exercice"))
    members_present = _count(_l("Membres présents"))
    members_represented = _count(_l("Membres représentés (pouvoirs)"))
    secretary = StringField(_l("Secrétaire de séance"), validators=[Length(max=200)])
    rapporteur = StringField(_l("Rapporteur"), validators=[Length(max=200)])
    subject = TextAreaField(_l("Objet"), validators=[DataRequired(), Length(max=2000)])
    unanimous = BooleanField(_l("Vote à l'unanimité"))
    votes_for = _count(_l("Voix pour"), required=False)
    votes_against = _count(_l("Voix contre"), required=False)
    abstentions = _count(_l("Abstentions"), required=False)
    number = StringField(_l("Numéro de la délibération"), validators=[Length(max=50)])
    actes_identifier = StringField(
        _l("Identifiant @ctes (accusé de réception)"),
        validators=[Length(max=64)],
        description=_l(
            "Tel qu'il figure sur l'accusé de réception, par exemple 062-216205237-20221213-del-131222-330-DE."
        ),
    )
    sent_on = DateField(_l("Transmis en préfecture le"), validators=[Optional()])
    acknowledged_on = DateField(_l("Accusé de réception du"), validators=[Optional()])
    published_on = DateField(_l("Publié ou affiché le"), validators=[Optional()])
    publication_mode = StringField(
        _l("Mode de publication"),
        validators=[Length(max=100)],
        description=_l("Par exemple : affichage, publication électronique."),
    )
    executory_on = DateField(_l("Certifié exécutoire le"), validators=[Optional()])
    pdf = FileField(_l("La délibération en PDF (facultatif)"))


class WaiverForm(FlaskForm):
    """The coordinator dispenses a party from the deliberation."""

    reason = TextAreaField(_l("Motif de la dispense"), validators=[DataRequired(), Length(max=1000)])


class RuleForm(FlaskForm):
    """What opens the deliberation gate of a convention."""

    rule = RadioField(
        _l("Ce qui ouvre la signature d'une partie"),
        choices=choices([
            ("confirmed", _l("Une délibération attestée par l'accusé de réception @ctes, ou confirmée sur pièce par "
                             "une autre personne que son signataire (recommandé)")),
            ("declared", _l("Une délibération exécutoire, sur la seule saisie de la commune")),
        ]),
        validators=[DataRequired()],
    )
