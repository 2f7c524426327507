"""`flask demo` opens the CTG 2023-2026 of Lens-Liévin, once."""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from convsign.demo.conventions import OBJECTIVES, REFERENCE
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, ConventionStatus, DocumentRevision


def test_the_demo_opens_its_ctg_once(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        convention = db.session.scalar(sa.select(Convention).where(Convention.reference == REFERENCE))
        assert convention is not None and convention.status == ConventionStatus.CIRCULATING
        assert (convention.start_date.isoformat(), convention.end_date.isoformat()) == ("2023-01-01", "2026-12-31")
        assert len(convention.parties) == 38
        stages = [s.stage for s in convention.signatories]
        assert len(stages) == 38 and stages.count(1) == 36 and stages.count(2) == 1 and stages.count(3) == 1
        assert {s.office.title for s in convention.signatories if s.stage == 3} == {
            "Directeur de la Caisse d'Allocations Familiales du Pas-de-Calais"
        }
        assert [o.domain.value for o in convention.objectives] == [
            "petite_enfance",
            "parentalite",
            "parentalite",
            "jeunesse",
            "logement",
            "animation_vie_sociale",
            "animation_vie_sociale",
            "animation_vie_sociale",
            "animation_vie_sociale",
        ]
        assert convention.revision_count == 1
        before = counts()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert counts() == before
        assert len(db.session.scalars(sa.select(Convention).where(Convention.reference == REFERENCE)).all()) == 1


def counts() -> tuple[int | None, ...]:
    """Rows that a second `flask demo` must not add."""
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Convention, DocumentRevision, AuditEntry)
    )


def test_the_objectives_are_the_deliberations_sentences() -> None:
    deliberation = (
        resources.files("convsign.demo")
        .joinpath("data/deliberation-loison-sous-lens-2022-12-13.txt")
        .read_text("utf-8")
    )
    flat = " ".join(deliberation.split())
    for _domain, sentence in OBJECTIVES:
        assert sentence in flat
