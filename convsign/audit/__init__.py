"""The tamper-evident audit trail: recording actions, verifying the chain, the journal pages."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from convsign.audit import views  # noqa: E402,F401
