"""Issue 12, point 7: what a coordinator types is what the parties sign, quotes and apostrophes included."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from convsign.conventions import services as conventions
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, User
from tests.conftest import Auth
from tests.world import build_territory, convention_data, waive_all

TITLE = 'Convention "Petite enfance" d\'Avion'
PREAMBLE = 'Le maire a dit "oui, sans réserve. Un guillemet seul : " et c\'est tout.'


def squeezed_text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def test_typed_quotes_reach_the_preview_and_the_signed_document_unchanged(app: Flask, client: FlaskClient) -> None:
    territory = build_territory(app, communes=1)
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        data = dataclasses.replace(convention_data(territory, TITLE), preamble=PREAMBLE)
        convention_id = conventions.save_draft(data, coordinator).id
        db.session.commit()
    Auth(client).login(territory.coordinator_email)
    preview = client.get(f"/conventions/{convention_id}/apercu")
    assert preview.status_code == 200
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert convention is not None and coordinator is not None
        waive_all(convention)
        conventions.open_convention(convention, coordinator, datetime.now(UTC))
        db.session.commit()
        opened = documents.latest_content(convention)
    for pdf in (preview.data, opened):
        text = squeezed_text(pdf)
        assert TITLE in text and PREAMBLE in text
        assert "«" not in text.split("Préambule")[-1][:200]
