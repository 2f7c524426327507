"""The outbox: e-mail (and later webhooks) written with their event, delivered after commit."""

from flask import Blueprint

bp = Blueprint("outbox", __name__, url_prefix="/admin/courriels")

from convsign.outbox import views  # noqa: E402,F401
