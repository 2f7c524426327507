"""Home page view."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from convsign.home import bp


@bp.get("/")
@login_required
def index() -> str:
    """The starting page of a logged-in person."""
    return render_template("home/index.html")
