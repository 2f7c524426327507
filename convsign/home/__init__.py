"""The home page: where each person starts, by role."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from convsign.home import views  # noqa: E402,F401
