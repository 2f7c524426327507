"""Forms of the token and webhook pages: they check shape; the services check the rules."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, URLField
from wtforms.validators import DataRequired, Length, Optional

from convsign.formtools import choices


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class TokenForm(FlaskForm):
    """A new personal access token: its name and how long it lasts."""

    name = StringField(
        _l("Nom du jeton"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Pour le reconnaître : « Logiciel de la CAF », « Script de suivi »…"),
    )
    days = SelectField(
        _l("Validité"),
        coerce=_optional_int,
        choices=choices(
            [(30, _l("30 jours")), (90, _l("90 jours")), (365, _l("1 an")), ("", _l("Sans date d'expiration"))]
        ),
        default=90,
    )


class WebhookForm(FlaskForm):
    """An organisation's webhook endpoint."""

    organisation_id = SelectField(
        _l("Organisation"), coerce=_optional_int, validate_choice=False, validators=[DataRequired()]
    )
    url = URLField(
        _l("Adresse de réception"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("https://… : chaque événement y est envoyé en POST, en JSON signé."),
    )
    secret = PasswordField(
        _l("Secret partagé"),
        validators=[Optional(), Length(max=200)],
        description=_l(
            "16 caractères au moins ; laissez vide pour qu'il soit tiré au hasard. Il "
            "signe chaque envoi (HMAC-SHA256) : communiquez-le à l'organisation."
        ),
    )
