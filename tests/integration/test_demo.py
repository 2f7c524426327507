"""`flask demo` loads Lens-Liévin once, and a second run changes nothing."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from convsign.extensions import db
from convsign.models import Mandate, Organisation, OrganisationKind, User
from tests.conftest import Auth


def test_demo_loads_and_its_logins_work(app: Flask, runner: FlaskCliRunner, auth: Auth) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    logins = (Path(app.instance_path) / "demo-logins.txt").read_text("utf-8").splitlines()[1:]
    assert len(logins) == 40
    with app.app_context():
        kinds = db.session.scalars(sa.select(Organisation.kind)).all()
        assert kinds.count(OrganisationKind.COMMUNE) == 36
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mandate)) == 38
        loison = db.session.scalar(sa.select(Organisation).where(Organisation.siren == "216205237"))
        assert loison is not None and loison.siren_verified
    _role, email, password = next(line.split("\t") for line in logins if line.startswith("coordinateur"))
    assert email in result.stdout and password in result.stdout
    assert auth.login(email, password).status_code == 302
    page = unescape(auth.client.get("/admin/organisations").get_data(as_text=True))
    assert "Loison-sous-Lens" in page and "Wingles" in page and "38 organisations" in page
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 40
    assert auth.login(email, password).status_code == 302  # passwords kept
