"""Deliberations: the council's authorisation to sign, its record, its gate on signing, its extract."""

from flask import Blueprint

bp = Blueprint("deliberations", __name__, url_prefix="/deliberations")

from convsign.deliberations import gate  # noqa: E402
from convsign.deliberations import views as views  # noqa: E402

gate.register()
