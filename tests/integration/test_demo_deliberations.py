"""`flask demo` records Loison-sous-Lens' real deliberation, a few others, and leaves slots blocked."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from convsign.conventions import circuit
from convsign.deliberations import gate
from convsign.demo.conventions import REFERENCE
from convsign.extensions import db
from convsign.models import Convention, Deliberation
from convsign.models.deliberation import deliberation_of
from convsign.models.types import local_today


def test_demo_deliberations(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        convention = db.session.scalar(sa.select(Convention).where(Convention.reference == REFERENCE))
        assert convention is not None
        states = {p.organisation.name: gate.deliberation_state(p, local_today()) for p in convention.parties}
        assert list(states.values()).count(gate.EXECUTORY) == 5
        assert list(states.values()).count(gate.NOT_EXECUTORY) == 2
        assert states["Loison-sous-Lens"] == gate.EXECUTORY
        loison = next(p for p in convention.parties if p.organisation.siren == "216205237")
        deliberation = deliberation_of(loison)
        assert deliberation is not None
        assert deliberation.actes_identifier == "062-216205237-20221213-del-131222-330-DE"
        assert (deliberation.session_date, deliberation.executory_on) == (date(2022, 12, 13), date(2022, 12, 19))
        statuses = circuit.statuses(convention, local_today())
        by_town = {s.office.organisation.name: statuses[s.id] for s in convention.signatories}
        assert by_town["Loison-sous-Lens"].code == circuit.TO_SIGN
        reasons = [s.reason or "" for s in statuses.values() if s.code == circuit.BLOCKED]
        assert sum("délibération manquante" in r for r in reasons) == 36 - 7
        assert sum("délibération non exécutoire" in r for r in reasons) == 2
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Deliberation))
    assert runner.invoke(args=["demo"]).exit_code == 0  # idempotent
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Deliberation)) == count == 7
