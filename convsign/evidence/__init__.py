"""The evidence file ("dossier de preuve") of a convention: built from the record, sealed, downloadable."""

from flask import Blueprint

bp = Blueprint("evidence", __name__)

from convsign.evidence import views  # noqa: E402,F401
