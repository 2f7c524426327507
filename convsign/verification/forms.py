"""The verification form: it checks shape; the services check the file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class VerifyForm(FlaskForm):
    """A PDF to verify."""

    document = FileField(
        _l("Fichier PDF à vérifier"), validators=[FileRequired(message=_l("Choisissez un fichier PDF."))]
    )
