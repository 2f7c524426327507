"""The instance's public trust services: the root certificate, the CRLs, the timestamp authority."""

from flask import Blueprint

bp = Blueprint("trust", __name__, url_prefix="/pki")

from convsign.trust import views  # noqa: E402,F401
