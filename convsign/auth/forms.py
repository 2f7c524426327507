"""Forms of the account pages: they check shape; services check rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from convsign.auth.passwords import MIN_PASSWORD_LENGTH
from convsign.formtools import choices


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=1000)])


class PasswordResetRequestForm(FlaskForm):
    """Ask for a reset link."""

    email = EmailField(
        _l("Adresse électronique"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )


class SetPasswordForm(FlaskForm):
    """Choose a password, typed twice."""

    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
        description=_l("Au moins %(n)s caractères. Une phrase de plusieurs mots est plus facile à retenir.",
                       n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[DataRequired(), EqualTo("password", message=_l("Les deux mots de passe diffèrent."))],
    )


class ProfileForm(FlaskForm):
    """What a person may change about themselves."""

    name = StringField(_l("Nom et prénom"), validators=[DataRequired(), Length(max=200)])
    preferred_language = SelectField(_l("Langue"), choices=choices([("fr", "Français"), ("en", "English")]))


class LogoutEverywhereForm(FlaskForm):
    """A button, with its CSRF token."""
