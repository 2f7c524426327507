"""Administration: organisations, people and their mandates."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from convsign.admin import delegation_views, views  # noqa: E402,F401
