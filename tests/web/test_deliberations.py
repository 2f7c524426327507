"""Deliberations through the web client: recording with every refusal on its field, the gate on
signing (missing, not executory, then released), the coordinator's waiver, and who may do what."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from convsign.extensions import db
from convsign.models import (
    AuditEntry,
    Convention,
    ConventionParty,
    Deliberation,
    Organisation,
    Role,
    Signatory,
    SlotState,
)
from tests.conftest import Auth, Factory, post_form, text
from tests.web.test_signing import sign_through_pages, slot_id
from tests.world import PASSPHRASE, Territory, build_territory, open_convention


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


@pytest.fixture
def convention_id(app: Flask, territory: Territory) -> int:
    return open_convention(app, territory, waive_deliberations=False)


def party_id(app: Flask, convention_id: int, organisation_id: int) -> int:
    with app.app_context():
        found = db.session.scalar(
            sa.select(ConventionParty.id).where(
                ConventionParty.convention_id == convention_id, ConventionParty.organisation_id == organisation_id
            )
        )
        assert found is not None
        return found


def siren(app: Flask, organisation_id: int) -> str:
    with app.app_context():
        org = db.session.get(Organisation, organisation_id)
        assert org is not None
        return org.siren


def valid_form(commune_siren: str, **changes: Any) -> dict[str, Any]:
    """An executory deliberation of 13 December 2022, as Loison-sous-Lens' (with this commune's SIREN)."""
    form = {
        "session_date": "2022-12-13",
        "convocation_date": "2022-12-05",
        "members_in_office": "29",
        "members_present": "20",
        "members_represented": "0",
        "secretary": "Khadija LANNABI",
        "rapporteur": "David GUIDE",
        "subject": "Signature de la Convention Territoriale Globale avec la CAF",
        "unanimous": "y",
        "number": "del-131222-330",
        "actes_identifier": f"062-{commune_siren}-20221213-del-131222-330-DE",
        "sent_on": "2022-12-19",
        "acknowledged_on": "2022-12-19",
        "published_on": "2022-12-19",
        "publication_mode": "Affiché",
        "executory_on": "2022-12-19",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="field__error" id="{field}-erreur">(.*?)</p>', page, re.S)
    assert match, f"no error on {field}"
    return " ".join(match.group(1).split())


def login(auth: Auth, email: str) -> None:
    assert auth.login(email).status_code == 302


def test_the_coordinator_records_a_deliberation_audited(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    commune = territory.commune_ids[0]
    party = party_id(app, convention_id, commune)
    login(auth, territory.coordinator_email)
    listing = text(client.get(f"/deliberations/convention/{convention_id}"))
    assert listing.count("manquante") == 3  # two communes and the EPCI; the CAF needs none
    response = post_form(client, f"/deliberations/partie/{party}", valid_form(siren(app, commune)))
    assert response.status_code == 302, text(response)
    page = text(client.get(f"/deliberations/partie/{party}"))
    assert "exécutoire" in page and f"062-{siren(app, commune)}-20221213-del-131222-330-DE" in page
    changed = post_form(client, f"/deliberations/partie/{party}", valid_form(siren(app, commune), members_present="21"))
    assert changed.status_code == 302
    extract = client.get(f"/deliberations/partie/{party}/extrait.pdf")
    assert extract.status_code == 200 and extract.mimetype == "application/pdf"
    assert "062-" + siren(app, commune) in " ".join(PdfReader(io.BytesIO(extract.data)).pages[0].extract_text().split())
    not_pdf = post_form(
        client,
        f"/deliberations/partie/{party}",
        {**valid_form(siren(app, commune)), "pdf": (io.BytesIO(b"hello"), "d.pdf")},
    )
    assert not_pdf.status_code == 422 and "Ce fichier n'est pas un PDF." in field_error(text(not_pdf), "pdf")
    attached = post_form(
        client,
        f"/deliberations/partie/{party}",
        {**valid_form(siren(app, commune), members_present="21"), "pdf": (io.BytesIO(extract.data), "d.pdf")},
    )
    assert attached.status_code == 302
    assert client.get(f"/deliberations/partie/{party}/deliberation.pdf").data == extract.data
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action.like("deliberation_%")).order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == [
            "deliberation_recorded",
            "deliberation_updated",
            "deliberation_pdf_attached",
        ]
        assert json.loads(entries[1].details)["changes"] == {"members_present": 21}
        assert entries[0].actor_name == "Claire Coordinatrice" and entries[0].convention_id == convention_id


REFUSALS = [
    (
        "wrong check digit",
        {"actes_identifier": "062-{bad}-20221213-del-131222-330-DE"},
        "actes_identifier",
        "sa clé de contrôle ne correspond pas",
    ),
    (
        "another commune's SIREN",
        {"actes_identifier": "062-{other}-20221213-del-131222-330-DE"},
        "actes_identifier",
        "qui n'est pas celui de Commune 1",
    ),
    (
        "date other than the session's",
        {"actes_identifier": "062-{mine}-20221214-del-131222-330-DE"},
        "actes_identifier",
        "n'est pas la date de la séance (13/12/2022)",
    ),
    (
        "16-character internal number",
        {"actes_identifier": "062-{mine}-20221213-del-131222-330AB-DE"},
        "actes_identifier",
        "compte 16 caractères",
    ),
    (
        "unknown nature",
        {"actes_identifier": "062-{mine}-20221213-del-131222-330-ZZ"},
        "actes_identifier",
        "La nature « ZZ »",
    ),
    (
        "not a deliberation",
        {"actes_identifier": "062-{mine}-20221213-del-131222-330-CC"},
        "actes_identifier",
        "une délibération est de nature DE",
    ),
    ("not an identifier", {"actes_identifier": "AR 062 216205237"}, "actes_identifier", "n'a pas la forme attendue"),
    (
        "convocation after the session",
        {"convocation_date": "2022-12-14"},
        "convocation_date",
        "La convocation ne peut pas être postérieure à la séance",
    ),
    (
        "acknowledged before sent",
        {"acknowledged_on": "2022-12-18"},
        "acknowledged_on",
        "L'accusé de réception ne peut pas précéder la transmission",
    ),
    (
        "executory before publication",
        {"published_on": "2022-12-20"},
        "executory_on",
        "ne peut pas précéder la publication",
    ),
    (
        "more votes than voters",
        {"unanimous": None, "votes_for": "18", "votes_against": "2", "abstentions": "1"},
        "votes_for",
        "dépassent le nombre de votants",
    ),
    ("no quorum", {"members_present": "14"}, "members_present", "Le quorum n'est pas atteint"),
    ("more present than in office", {"members_present": "30"}, "members_present", "plus de membres présents"),
]


@pytest.mark.parametrize(("case", "changes", "field", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_is_shown_on_its_field(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    territory: Territory,
    convention_id: int,
    case: str,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    mine, other = (siren(app, c) for c in territory.commune_ids)
    bad = mine[:-1] + str((int(mine[-1]) + 1) % 10)
    values = {k: v.format(mine=mine, other=other, bad=bad) if isinstance(v, str) else v for k, v in changes.items()}
    party = party_id(app, convention_id, territory.commune_ids[0])
    login(auth, territory.coordinator_email)
    response = post_form(client, f"/deliberations/partie/{party}", valid_form(mine, **values))
    assert response.status_code == 422, case
    assert message in field_error(text(response), field)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Deliberation)) == 0


def _status_line(client: FlaskClient, slot: int) -> str:
    return text(client.get(f"/signer/{slot}"))


def test_the_gate_blocks_then_releases_the_mayor(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    mayor = territory.holder("Commune 1")
    slot = slot_id(app, convention_id, mayor)
    commune = territory.commune_ids[0]
    party = party_id(app, convention_id, commune)
    login(auth, mayor.email)
    assert "bloqué : délibération manquante — à enregistrer par Commune 1" in _status_line(client, slot)
    with app.app_context():  # the page offers no signature; the service refuses one sent anyway
        latest = db.session.get(Convention, convention_id).latest_sha256  # type: ignore[union-attr]
    refused = post_form(
        client,
        f"/signer/{slot}",
        {"seen_sha256": latest, "approve": "y", "passphrase": PASSPHRASE},
        token_from=f"/signer/{slot}",
    )
    assert refused.status_code == 422 and "bloqué : délibération manquante" in text(refused)

    # The mayor records it: sent to the prefecture, not yet executory.
    sent = valid_form(siren(app, commune), acknowledged_on=None, actes_identifier=None, executory_on=None)
    assert post_form(client, f"/deliberations/partie/{party}", sent).status_code == 302
    assert "bloqué : délibération non exécutoire" in _status_line(client, slot)
    assert post_form(client, f"/deliberations/partie/{party}", valid_form(siren(app, commune))).status_code == 302
    assert "bloqué" not in _status_line(client, slot)
    auth.logout()
    signed = sign_through_pages(client, auth, mayor, slot)
    assert signed.status_code == 302, text(signed)  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.get(Signatory, slot).state == SlotState.SIGNED  # type: ignore[union-attr]


def test_the_coordinator_waives_with_a_reason_audited(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    mayor = territory.holder("Commune 2")
    slot = slot_id(app, convention_id, mayor)
    party = party_id(app, convention_id, territory.commune_ids[1])
    login(auth, territory.coordinator_email)
    assert post_form(client, f"/deliberations/partie/{party}/dispense", {"reason": ""}).status_code == 422
    response = post_form(
        client,
        f"/deliberations/partie/{party}/dispense",
        {"reason": "Délibération de principe couvrant toutes les CTG"},
    )
    assert response.status_code == 302
    assert "dispense : Délibération de principe" in text(client.get(f"/deliberations/convention/{convention_id}"))
    with app.app_context():
        found = db.session.get(ConventionParty, party)
        assert found is not None and not found.deliberation_required
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "deliberation_waived"))
        assert entry is not None and "Délibération de principe" in entry.details
    auth.logout()
    assert sign_through_pages(client, auth, mayor, slot).status_code == 302  # type: ignore[attr-defined]


def _person(app: Flask, factory: Factory, who: str, territory: Territory, other: Territory) -> str | None:
    """The e-mail of the person playing `who` (None: anonymous)."""
    from convsign.admin import services as admin

    if who == "anonyme":
        return None
    if who in ("maire", "autre maire"):
        return territory.holder("Commune 1" if who == "maire" else "Commune 2").email
    if who == "coordinateur":
        return territory.coordinator_email
    if who == "autre coordinateur":
        return other.coordinator_email
    roles = {"agent": {Role.COORDINATOR}, "admin": {Role.ADMIN}}[who]
    with app.app_context():
        org = territory.commune_ids[0] if who == "agent" else None
        user = admin.save_user(admin.UserData(f"Personne {who}", f"{who}@example.org", frozenset(roles), org), None)
        from convsign.auth.passwords import hash_password
        from tests.conftest import TEST_PASSWORD

        user.password_hash = hash_password(TEST_PASSWORD)
        db.session.commit()
        return user.email


PERMISSIONS = [  # (who, view, record, waive)
    ("anonyme", 302, 302, 302),
    ("maire", 200, 302, 403),
    ("agent", 200, 302, 403),  # an agent of the commune given the right (its coordinator role)
    ("autre maire", 200, 403, 403),  # sees the convention, may not enter another commune's deliberation
    ("coordinateur", 200, 302, 302),
    ("autre coordinateur", 404, 404, 404),
    ("admin", 200, 302, 302),
]


@pytest.mark.parametrize(("who", "view", "record", "waive"), PERMISSIONS, ids=[p[0] for p in PERMISSIONS])
def test_permissions(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    factory: Factory,
    territory: Territory,
    convention_id: int,
    who: str,
    view: int,
    record: int,
    waive: int,
) -> None:
    other = build_territory(app, communes=0, prefix="236")
    email = _person(app, factory, who, territory, other)
    party = party_id(app, convention_id, territory.commune_ids[0])
    if email:
        login(auth, email)
    path = f"/deliberations/partie/{party}"
    assert client.get(path).status_code == view
    token_from = "/connexion" if who == "anonyme" else "/"
    assert (
        post_form(client, path, valid_form(siren(app, territory.commune_ids[0])), token_from=token_from).status_code
        == record
    )
    assert post_form(client, f"{path}/dispense", {"reason": "essai"}, token_from=token_from).status_code == waive
