"""The form of one's personal certificates page: a fingerprint, confirmed with one's password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class OwnFingerprintForm(FlaskForm):
    """Register one of one's certificates by its SHA-256 fingerprint."""

    fingerprint = StringField(_l("Empreinte SHA-256 du certificat"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Votre mot de passe (confirmation)"), validators=[DataRequired(), Length(max=1000)])
