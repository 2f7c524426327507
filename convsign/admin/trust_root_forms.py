"""Forms of the trusted roots page: they check shape; the services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class TrustedRootForm(FlaskForm):
    """A root certificate, pasted in PEM."""

    pem = TextAreaField(_l("Certificat de l'autorité racine (PEM)"), validators=[DataRequired(), Length(max=65536)])


class FingerprintForm(FlaskForm):
    """A certificate registered as someone's own, by its SHA-256 fingerprint."""

    user_id = SelectField(_l("Personne"), coerce=int)
    fingerprint = StringField(_l("Empreinte SHA-256 du certificat"), validators=[DataRequired(), Length(max=200)])
