"""A whole convention through the API only: create, deliberate, open, refuse, reassign, sign in three
stages with three people's own tokens, download, verify; and what a stale or foreign call gets."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from convsign.extensions import db
from convsign.models import Organisation
from tests.api.conftest import Api, conforms, problem, token_for
from tests.world import PASSPHRASE, Territory, build_territory


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


def siren(app: Flask, organisation_id: int) -> str:
    with app.app_context():
        org = db.session.get(Organisation, organisation_id)
        assert org is not None
        return org.siren


def draft(app: Flask, territory: Territory) -> dict[str, Any]:
    """The JSON of a CTG: parties by SIREN, signatories by e-mail; the EPCI dispensed from deliberating."""
    mayor, president, director = territory.holders
    return {
        "title": "CTG 2027-2030 par l'API",
        "reference": "CTG-API-1",
        "kind": "ctg",
        "start": "2027-01-01",
        "end": "2030-12-31",
        "parties": [
            {
                "siren": siren(app, territory.epci_id),
                "deliberation_required": False,
                "waiver_reason": "Délibération-cadre de 2022",
            },
            {"organisation_id": territory.caf_id},
            {"organisation_id": territory.commune_ids[0]},
        ],
        "objectives": {"jeunesse": ["Une offre jeunesse harmonisée."], "logement": ["L'accès au logement."]},
        "signatories": [{"user_email": h.email} for h in (director, president, mayor)],
    }


def deliberation(commune_siren: str, party_id: int) -> dict[str, Any]:
    """The commune's executory deliberation (as Loison-sous-Lens' of 13 December 2022)."""
    return {
        "party_id": party_id,
        "session_date": "2022-12-13",
        "convocation_date": "2022-12-05",
        "members_in_office": 29,
        "members_present": 20,
        "subject": "Signature de la CTG avec la CAF",
        "unanimous": True,
        "number": "del-131222-330",
        "actes_identifier": f"062-{commune_siren}-20221213-del-131222-330-DE",
        "sent_on": "2022-12-19",
        "acknowledged_on": "2022-12-19",
        "published_on": "2022-12-19",
        "publication_mode": "Affiché",
        "executory_on": "2022-12-19",
    }


def convention(api: Api, token: str, convention_id: int) -> dict[str, Any]:
    response = api.get(f"/conventions/{convention_id}", token)
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    conforms("Convention", body)
    return body


def slot_of(body: dict[str, Any], office: str) -> dict[str, Any]:
    return next(s for s in body["signatories"] if s["office"] == office)


def sign(api: Api, token: str, convention_id: int, slot: int, seen: str, *, key: bool = True) -> Any:
    if key:
        created = api.post(
            f"/conventions/{convention_id}/signatories/{slot}/signing-key", token, {"passphrase": PASSPHRASE}
        )
        assert created.status_code == 201, created.get_data(as_text=True)
        conforms("SigningKey", created.get_json())
    return api.post(
        f"/conventions/{convention_id}/signatories/{slot}/signature",
        token,
        {"passphrase": PASSPHRASE, "seen_sha256": seen},
    )


def create_and_open(app: Flask, api: Api, territory: Territory, coordinator: str) -> dict[str, Any]:
    """Create the draft, record the commune's deliberation, open: returns the convention."""
    created = api.post("/conventions", coordinator, draft(app, territory))
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    conforms("Convention", body)
    assert created.headers["Location"].endswith(f"/api/v1/conventions/{body['id']}")
    assert [s["stage"] for s in body["signatories"]] == [1, 2, 3] and body["status"] == "brouillon"
    commune = next(p for p in body["parties"] if p["organisation_id"] == territory.commune_ids[0])
    assert commune["deliberation_state"] == "manquante"
    recorded = api.post(
        f"/conventions/{body['id']}/deliberations", coordinator, deliberation(commune["siren"], commune["id"])
    )
    assert recorded.status_code == 201, recorded.get_data(as_text=True)
    conforms("Party", recorded.get_json())
    assert recorded.get_json()["deliberation_state"] == "executoire"
    opened = api.post(f"/conventions/{body['id']}/open", coordinator)
    assert opened.status_code == 200, opened.get_data(as_text=True)
    return convention(api, coordinator, body["id"])


def test_a_whole_convention_through_the_api(app: Flask, api: Api, territory: Territory) -> None:
    mayor, president, director = territory.holders
    coordinator = token_for(app, territory.coordinator_email)
    own = {h.title: token_for(app, h.email) for h in territory.holders}
    body = create_and_open(app, api, territory, coordinator)
    cid, first_hash = body["id"], body["document_sha256"]
    mayor_slot = slot_of(body, mayor.title)
    assert body["status"] == "en_circulation" and mayor_slot["status"] == "a_signer"
    assert slot_of(body, president.title)["status"] == "en_attente"

    # The mayor refuses; the coordinator gives the slot back to the same office; the mayor signs.
    key = api.post(
        f"/conventions/{cid}/signatories/{mayor_slot['id']}/signing-key", own[mayor.title], {"passphrase": PASSPHRASE}
    )
    assert key.status_code == 201
    refused = api.post(
        f"/conventions/{cid}/signatories/{mayor_slot['id']}/refusal",
        own[mayor.title],
        {"reason": "Le montant du volet jeunesse doit être revu."},
    )
    assert refused.status_code == 201
    conforms("RefusalResult", refused.get_json())
    halted = slot_of(convention(api, coordinator, cid), mayor.title)
    assert halted["status"] == "refuse" and halted["reason"].startswith("Le montant")
    reassigned = api.post(
        f"/conventions/{cid}/signatories/{mayor_slot['id']}/reassignment", coordinator, {"office_id": mayor.office_id}
    )
    assert reassigned.status_code == 200, reassigned.get_data(as_text=True)
    assert slot_of(reassigned.get_json(), mayor.title)["status"] == "a_signer"
    signed = sign(api, own[mayor.title], cid, mayor_slot["id"], first_hash, key=False)
    assert signed.status_code == 201, signed.get_data(as_text=True)
    conforms("SignatureResult", signed.get_json())
    assert signed.get_json()["revision"] == 2

    # The president read revision 1: 409, nothing signed; with the current hash, it signs.
    president_slot = slot_of(convention(api, president_token := own[president.title], cid), president.title)
    stale = sign(api, president_token, cid, president_slot["id"], first_hash)
    assert "changé" in problem(stale, 409)["detail"]
    current = convention(api, president_token, cid)["document_sha256"]
    assert current == signed.get_json()["sha256"]
    assert sign(api, president_token, cid, president_slot["id"], current, key=False).status_code == 201

    director_slot = slot_of(convention(api, own[director.title], cid), director.title)
    done = sign(
        api, own[director.title], cid, director_slot["id"], convention(api, coordinator, cid)["document_sha256"]
    )
    assert done.status_code == 201, done.get_data(as_text=True)
    final = convention(api, coordinator, cid)
    assert final["status"] == "signee" and final["signed"] == final["total"] == 3
    assert all(s["status"] == "signe" and s["signed_at"] for s in final["signatories"])
    check_downloads(api, coordinator, cid, final)


def check_downloads(api: Api, token: str, cid: int, final: dict[str, Any]) -> None:
    """The list, the signed PDF (its hash the convention's), its verification, and the evidence."""
    listed = api.get("/conventions", token).get_json()
    conforms("ConventionList", listed)
    assert {"id": cid, "title": final["title"], "status": "signee", "signed": 3, "total": 3} in listed["conventions"]
    pdf = api.get(f"/conventions/{cid}/document", token)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["X-Content-SHA256"] == final["document_sha256"]
    first = api.get(f"/conventions/{cid}/document?revision=1", token)
    assert first.status_code == 200 and first.headers["X-Content-SHA256"] != final["document_sha256"]
    report = api.pdf("/verify", token, pdf.get_data())
    assert report.status_code == 200, report.get_data(as_text=True)
    conforms("VerificationReport", report.get_json())
    assert report.get_json()["valid"] is True
    assert report.get_json()["convention"]["id"] == cid and report.get_json()["convention"]["is_current"]
    assert report.get_json()["level"] == "B-LTA"
    evidence = api.get(f"/conventions/{cid}/evidence", token)
    assert evidence.status_code == 200 and evidence.get_data().startswith(b"%PDF")


def test_a_draft_that_breaks_a_rule_says_why_on_its_field(app: Flask, api: Api, territory: Territory) -> None:
    coordinator = token_for(app, territory.coordinator_email)
    body = draft(app, territory)
    bad = api.post("/conventions", coordinator, {**body, "end": "2026-01-01"})
    assert problem(bad, 422)["errors"] == [
        {"field": "end", "message": "La fin de la convention doit suivre son début."}
    ]
    no_waiver_reason = {**body, "parties": [{**body["parties"][0], "waiver_reason": ""}, *body["parties"][1:]]}
    assert problem(api.post("/conventions", coordinator, no_waiver_reason), 422)["errors"][0]["field"] == "reason"
    assert problem(api.post("/conventions", coordinator, data="x", content_type="text/plain"), 415)
    signatory = token_for(app, territory.holders[0].email)
    assert problem(api.post("/conventions", signatory, body), 403)
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM convention")) == 0
