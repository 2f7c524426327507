"""The evidence file: after a full signing, and after a refusal closed with the signatures obtained."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import (
    AuditEntry,
    Convention,
    ConventionParty,
    ConventionStatus,
    Deliberation,
    Role,
    Signatory,
    SlotState,
    User,
)
from convsign.pdf.validation import validate_document
from convsign.trust import platform
from tests.conftest import Auth, Factory
from tests.web.test_signing import sign_through_pages, slot_id
from tests.world import Territory, build_territory, open_convention

REFUSAL = "Le conseil d'administration n'a pas encore approuvé le plan d'action"


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


def sign(app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int, title: str) -> None:
    holder = territory.holder(title)
    response: Any = sign_through_pages(client, auth, holder, slot_id(app, convention_id, holder))
    assert response.status_code == 302


def download(client: FlaskClient, auth: Auth, email: str, convention_id: int) -> Any:
    auth.login(email)
    response = client.get(f"/conventions/{convention_id}/preuve")
    auth.logout()
    return response


def pdf_text(pdf: bytes) -> tuple[str, str]:
    """The evidence's text with spaces collapsed, and with no white space at all (hashes may wrap);
    typst sets apostrophes as ’, read back as '."""
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("’", "'")
    return " ".join(raw.split()), "".join(raw.split())


ACTES_ID = "062-216200115-20261013-del-2026-15-DE"


def record_deliberation(app: Flask, convention_id: int, organisation_id: int) -> None:
    """The commune's council deliberation, transmitted to the prefecture and executory."""
    with app.app_context():
        party = db.session.scalar(
            sa.select(ConventionParty).where(
                ConventionParty.convention_id == convention_id, ConventionParty.organisation_id == organisation_id
            )
        )
        assert party is not None
        db.session.add(
            Deliberation(
                convention_party_id=party.id,
                session_date=date(2026, 10, 13),
                members_in_office=23,
                members_present=20,
                subject="Convention Territoriale Globale",
                unanimous=True,
                number="2026-15",
                actes_identifier=ACTES_ID,
                sent_on=date(2026, 10, 15),
                executory_on=date(2026, 10, 16),
            )
        )
        db.session.commit()


def test_after_a_full_signing_the_evidence_holds_the_whole_record(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory
) -> None:
    convention_id = open_convention(app, territory)
    for title in ("Commune 1", "Président", "Directeur"):
        sign(app, client, auth, territory, convention_id, title)
    record_deliberation(app, convention_id, territory.commune_ids[0])
    response = download(client, auth, territory.coordinator_email, convention_id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    spaced, compact = pdf_text(pdf)
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None and convention.status == ConventionStatus.SIGNED
        parties = [p.organisation.name for p in convention.parties]
        fingerprints = [s.certificate_sha256 for s in convention.signatories]
        revisions = [r.sha256 for r in documents.revisions(convention)]
        final = validate_document(documents.latest_content(convention), platform.trust_settings())
        head = db.session.execute(
            sa.select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
        ).one()
        sealed = validate_document(pdf, platform.trust_settings())
    assert len(parties) == 3 and all(name in spaced for name in parties)
    assert len(fingerprints) == 3 and all(f and f in compact for f in fingerprints)
    assert len(revisions) == 5 and all(sha in compact for sha in revisions)  # prepared, 3 signatures, B-LTA
    for signature in final.signatures:  # certification, three signatures, archival timestamp
        assert signature.timestamp_time is not None
        assert f"{signature.timestamp_time.astimezone(UTC):%Y-%m-%d%H:%M:%S}UTC" in compact
    assert "Horodatage convsign" in spaced  # the timestamp authority
    assert f"l'entrée n° {head[0]}" in spaced and head[1] in compact
    deliberation = f"délibération n° 2026-15 du 13 octobre 2026, identifiant @ctes {ACTES_ID}, exécutoire le 16 octobre"
    assert "".join(deliberation.split()) in compact  # the identifier may wrap at a hyphen
    assert "Tous les signataires ont signé." in spaced and "Document valide" in spaced
    assert sealed.valid and [s.kind for s in sealed.signatures] == ["certification"]
    assert sealed.signatures[0].timestamp_time is not None and sealed.signatures[0].trusted
    assert download(client, auth, territory.coordinator_email, convention_id).get_data() == pdf  # cached


def test_a_convention_closed_after_a_refusal_lists_the_refused_slot_unsigned(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory
) -> None:
    from convsign.followup.services import close_with_signatures, refuse_slot

    convention_id = open_convention(app, territory)
    for title in ("Commune 1", "Président"):
        sign(app, client, auth, territory, convention_id, title)
    director = territory.holder("Directeur")
    with app.app_context():
        refuse_slot(
            slot_id(app, convention_id, director), db.session.get(User, director.user_id), REFUSAL, datetime.now(UTC)
        )
        db.session.commit()
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        close_with_signatures(convention_id, coordinator, "Signée sans la CAF", datetime.now(UTC))
        db.session.commit()
        slot = db.session.get(Signatory, slot_id(app, convention_id, director))
        assert slot is not None and slot.state == SlotState.REFUSED
    spaced, _compact = pdf_text(download(client, auth, territory.coordinator_email, convention_id).get_data())
    unsigned = spaced[spaced.index("4. Signataires n'ayant pas signé") : spaced.index("5. Révisions du document")]
    assert director.title in unsigned and "Non signé : refus le" in unsigned and REFUSAL in unsigned
    assert "Maire de Commune 1" not in unsigned
    assert "signature refusée (refus motivé)" in spaced  # the refusal among the director's events
    assert re.search(r"Signé le .{10,80} par Élu·e Commune 1", spaced)


@pytest.mark.parametrize(("who", "expected"), [("coordinator", 200), ("mayor", 200), ("stranger", 404)])
def test_who_may_download_the_evidence(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory, territory: Territory, who: str, expected: int
) -> None:
    convention_id = open_convention(app, territory)
    emails = {
        "coordinator": territory.coordinator_email,
        "mayor": territory.holder("Commune 1").email,
        "stranger": factory.user(Role.SIGNATORY).email,
    }
    response = download(client, auth, emails[who], convention_id)
    assert response.status_code == expected
    if expected == 200:
        spaced, _compact = pdf_text(response.get_data())
        assert "Convention Territoriale Globale 2027-2030" in spaced and "État : en circulation" in spaced
        assert "Non signé." in spaced and "invitation à signer" in spaced
