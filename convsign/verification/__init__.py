"""Verification of any PDF's signatures: the page `/verifier` and `flask --app app verify FILE.pdf`."""

from flask import Blueprint

bp = Blueprint("verification", __name__)

from convsign.verification import views  # noqa: E402,F401
