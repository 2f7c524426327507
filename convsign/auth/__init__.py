"""Accounts: login, logout, invitation links, password reset, profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from convsign.auth import views  # noqa: E402,F401  (registers the routes on bp)
