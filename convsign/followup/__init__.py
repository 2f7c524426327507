"""Follow-up of the circuit: notifications, refusals, the coordinator's corrections, reminders, expiry."""

from flask import Blueprint

bp = Blueprint("followup", __name__)

from convsign.followup import views as views  # noqa: E402
