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


def test_the_demo_ctg_is_a_complete_convention(app: Flask, runner: FlaskCliRunner) -> None:
    """More than ten pages: parties, visas, preamble, every article, « Fait à », annexes, named holders."""
    import io
    import re

    from pypdf import PdfReader

    from convsign.clauses import services as clauses
    from convsign.documents import services as documents
    from convsign.models.types import local_today

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        convention = db.session.scalar(sa.select(Convention).where(Convention.reference == REFERENCE))
        assert convention is not None
        pdf = documents.store().get(convention.latest_sha256 or "")
        titles = [a.title for a in clauses.articles_of(convention)]
        holders = [m.user.name for s in convention.signatories if (m := s.office.holder_on(local_today()))]
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    text = re.sub(r"[\s\-\u00ad]", "", " ".join(pages))
    assert len(pages) > 10 and len(titles) == 13
    for expected in ("et ses 36 communes membres", "36 communes, 241 934 habitants", "Fait à Liévin",
                     "tribunal administratif de Lille", "Annexe 2 — Plan d’action", "illustratif",
                     *(t.replace("'", "’") for t in titles), *(h.replace("'", "’") for h in holders)):
        assert re.sub(r"[\s\-]", "", expected) in text, expected
    assert "àdésigner" not in text and holders
