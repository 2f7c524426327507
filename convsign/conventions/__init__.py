"""Conventions: the form, the document and its signature fields, the signing circuit."""

from flask import Blueprint

bp = Blueprint("conventions", __name__, url_prefix="/conventions")

from convsign.conventions import views  # noqa: E402,F401
