"""Home page view: where each person starts, with their signature inbox (convsign.dashboard.inbox)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from convsign.dashboard.inbox import inbox
from convsign.dashboard.loading import local_day
from convsign.home.blueprint import bp
from convsign.models.types import local_today


@bp.get("/")
@login_required
def index() -> str:
    """The starting page of a logged-in person."""
    return render_template("home/index.html", inbox=inbox(current_user, local_today()), local_day=local_day)
