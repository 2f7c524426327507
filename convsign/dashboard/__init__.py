"""The coordinator's dashboard: progress of every convention, each signatory's status, the timeline."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from convsign.dashboard import views  # noqa: E402,F401
