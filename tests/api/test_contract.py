"""The API keeps the contract its description states, on each point a schema-driven fuzzer found broken:
ids past an INTEGER, problem documents without `code`, schema-valid bodies refused and schema-violating
ones accepted, repeated query values, 405 without Allow, PDF bodies. Each attack is made here by hand;
tests/api/test_schemathesis.py lets Schemathesis look for the others."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.api.openapi import document
from convsign.conventions import layout
from convsign.conventions import services as conventions
from convsign.extensions import db
from convsign.models import User
from convsign.routing import MAX_ID, up_to
from tests.api.conftest import Api, bearer, problem, token_for
from tests.world import Territory, build_territory, convention_data, open_convention

HUGE = ["2147483648", "1697710121788343885112541184", "99999999999"]


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


def draft(app: Flask, territory: Territory) -> int:
    """A draft of the territory, saved through the service."""
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        convention = conventions.save_draft(convention_data(territory), coordinator)
        db.session.commit()
        return convention.id


def request_schema(path: str, method: str = "post") -> dict[str, Any]:
    """The JSON body schema of an operation, resolvable on its own."""
    spec = document()
    ref = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return {**ref, "components": spec["components"]}


def schema_accepts(path: str, body: Any) -> bool:
    validator = jsonschema.Draft202012Validator(request_schema(path), format_checker=jsonschema.FormatChecker())
    return validator.is_valid(body)


def test_the_id_regex_stops_exactly_at_the_largest_id() -> None:
    pattern = re.compile(f"(?:{up_to(MAX_ID)})")
    for number in [0, 1, 9, 10, 99, 10**9, 1999999999, 2047483647, MAX_ID - 1, MAX_ID]:
        assert pattern.fullmatch(str(number)), number
    for text in [str(MAX_ID + 1), str(MAX_ID + 10), "3000000000", str(10**10), *HUGE, "007", "-1", "1.5", ""]:
        assert not pattern.fullmatch(text), text
    for limit in range(0, 1200):  # every limit's regex agrees with the integers around it
        small = re.compile(f"(?:{up_to(limit)})")
        assert all(bool(small.fullmatch(str(n))) == (n <= limit) for n in range(0, 1300)), limit


@pytest.mark.parametrize("huge", HUGE)
def test_an_id_past_an_integer_is_404_never_500(app: Flask, client: FlaskClient, territory: Territory,
                                                huge: str) -> None:
    token = bearer(token_for(app, territory.coordinator_email))
    for method, path in [("post", f"/conventions/{huge}/open"), ("post", f"/conventions/{huge}/cancel"),
                         ("get", f"/conventions/{huge}"), ("get", f"/conventions/{huge}/document"),
                         ("post", f"/conventions/{huge}/deliberations"),
                         ("post", f"/conventions/1/signatories/{huge}/signature")]:
        body = problem(getattr(client, method)(f"/api/v1{path}", headers=token, json={"reason": "x"}), 404)
        assert body["code"] == "http_404", (method, path)
    assert client.get(f"/conventions/{huge}").status_code == 404  # the pages too


def test_ids_past_an_integer_inside_a_body_are_422(app: Flask, api: Api, territory: Territory) -> None:
    token = token_for(app, territory.coordinator_email)
    convention_id = open_convention(app, territory)
    refused = api.post(f"/conventions/{convention_id}/signatories/1/reassignment", token, {"office_id": 2**31})
    assert problem(refused, 422)["errors"][0]["field"] == "office_id"
    refused = api.post(f"/conventions/{convention_id}/deliberations", token, {"party_id": 10**30})
    assert problem(refused, 422)["errors"][0]["field"] == "party_id"
    body = {"title": "T", "reference": "R", "start": "2027-01-01", "end": "2028-01-01",
            "parties": [{"organisation_id": 10**27}], "signatories": []}
    assert not schema_accepts("/conventions", body)
    assert problem(api.post("/conventions", token, body), 422)["errors"][0]["field"] == "organisation_id"


def test_every_problem_follows_the_problem_schema_routing_errors_included(app: Flask, client: FlaskClient,
                                                                          territory: Territory) -> None:
    token = bearer(token_for(app, territory.coordinator_email))
    assert problem(client.get("/api/v1/nowhere", headers=token), 404)["code"] == "http_404"
    assert problem(client.get("/api/v1/conventions/-1", headers=token), 404)["code"] == "http_404"
    assert problem(client.get("/api/v1/nowhere?q=a%00b", headers=token), 400)["code"] == "nul_character"
    assert problem(client.get("/api/v1/conventions/12345", headers=token), 404)["code"] == "not_found"


def test_405_carries_allow(client: FlaskClient) -> None:
    answer = client.open("/api/v1/verify", method="TRACE")
    problem(answer, 405)
    assert "POST" in answer.headers["Allow"]
    answer = client.delete("/api/v1/conventions/1/open")
    assert problem(answer, 405)["code"] == "http_405" and "POST" in answer.headers["Allow"]
    page = client.put("/connexion")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


@pytest.mark.parametrize("query", ["revision=1&revision=1", "revision=abc", "revision=0", "revision=-1",
                                   "revision=1.0", "revision=", f"revision={MAX_ID + 1}", "revision=01"])
def test_a_repeated_or_malformed_revision_is_400(app: Flask, api: Api, territory: Territory, query: str) -> None:
    token = token_for(app, territory.coordinator_email)
    convention_id = open_convention(app, territory)
    assert api.get(f"/conventions/{convention_id}/document?revision=1", token).status_code == 200
    assert problem(api.get(f"/conventions/{convention_id}/document?{query}", token), 400)["code"] == "bad_query"


BLANK = " \t\u00a0\u0085\u2028\u3000"  # blank for the server (str.strip) and for the declared pattern


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/conventions/{id}/cancel", {"reason": ""}, "reason"),
    ("/conventions/{id}/cancel", {"reason": BLANK}, "reason"),
    ("/conventions/{id}/cancel", {"reason": "x" * 2001}, "reason"),
    ("/conventions/{id}/cancel", {"reason": "Doublon", "motif": "x"}, "motif"),
    ("/conventions/{id}/close", {"note": ""}, "note"),
    ("/conventions/{id}/deadline", {"deadline": "2027-02-30"}, "deadline"),
    ("/conventions/{id}/deadline", {"deadline": "20270101"}, "deadline"),
    ("/conventions/{id}/deliberations", {"party_id": 1, "session_date": "2022-12-13", "members_in_office": -1,
                                         "members_present": 0, "subject": "CTG"}, "members_in_office"),
])
def test_what_the_schema_refuses_the_server_refuses(app: Flask, api: Api, territory: Territory, path: str,
                                                   body: dict[str, Any], field: str) -> None:
    """Each body breaks the declared schema, and the server says so on the same field (never 201)."""
    token = token_for(app, territory.coordinator_email)
    assert not schema_accepts(path.replace("{id}", "{convention_id}"), body)
    answer = api.post(path.format(id=draft(app, territory)), token, body)
    assert problem(answer, 422)["errors"][0]["field"] == field


def test_what_the_schema_refuses_a_signatory_is_refused(app: Flask, api: Api, territory: Territory) -> None:
    mayor = territory.holder("Maire")
    token = token_for(app, mayor.email)
    convention_id = open_convention(app, territory)
    slot = next(s["id"] for s in api.get(f"/conventions/{convention_id}", token).get_json()["signatories"]
                if s["office"] == mayor.title)
    base = f"/conventions/{convention_id}/signatories/{slot}"
    for action, body, field in [
        ("signing-key", {"passphrase": BLANK * 3}, "passphrase"),
        ("signing-key", {"passphrase": "douze caractères", "jour": 1}, "jour"),
        ("signature", {"passphrase": "", "seen_sha256": "0" * 64}, "passphrase"),
        ("signature", {"passphrase": "x", "seen_sha256": "0" * 63}, "seen_sha256"),
        ("refusal", {"reason": ""}, "reason"),
    ]:
        assert not schema_accepts(f"/conventions/{{convention_id}}/signatories/{{slot_id}}/{action}", body)
        assert problem(api.post(f"{base}/{action}", token, body), 422)["errors"][0]["field"] == field, action


def valid_draft(territory: Territory, **changes: Any) -> dict[str, Any]:
    return {"title": "CTG", "reference": "CTG-1", "start": "2027-01-01", "end": "2030-12-31",
            "parties": [{"organisation_id": territory.caf_id}, {"organisation_id": territory.commune_ids[0]}],
            "signatories": [{"user_email": h.email} for h in territory.holders], **changes}


@pytest.mark.parametrize(("changes", "field"), [
    ({"reference": ""}, "reference"),
    ({"title": BLANK}, "title"),
    ({"kind": {}}, "kind"),  # was a 500: an unhashable kind
    ({"lead": {"organisation_id": 1, "siren": {}}}, "lead"),
    ({"lead": {"siren": "214000010", "nom": "x"}}, "lead.nom"),
    ({"parties": [{"organisation_id": 3, "délibération": False}]}, "parties[0].délibération"),
    ({"signatories": [{"office_id": 1, "user_email": 5}]}, "signatories[0]"),
    ({"signatories": [{"office_id": 1, "rôle": "maire"}]}, "signatories[0].rôle"),
    ({"preamble": "x" * (layout.LONGEST_WORD + 1)}, "preamble"),  # was a 500 at opening
    ({"steering_committee": "mot " + "0" * 19995}, "steering_committee"),
    ({"numero": 1}, "numero"),
])
def test_a_draft_that_breaks_the_schema_is_refused(app: Flask, api: Api, territory: Territory,
                                                  changes: dict[str, Any], field: str) -> None:
    token = token_for(app, territory.coordinator_email)
    assert schema_accepts("/conventions", valid_draft(territory))
    assert api.post("/conventions", token, valid_draft(territory)).status_code == 201
    body = valid_draft(territory, **changes)
    assert not schema_accepts("/conventions", body)
    assert problem(api.post("/conventions", token, body), 422)["errors"][0]["field"] == field


def test_a_word_at_the_limit_is_laid_out(app: Flask, api: Api, territory: Territory) -> None:
    token = token_for(app, territory.coordinator_email)
    body = valid_draft(territory, preamble="x" * layout.LONGEST_WORD + " fin", steering_committee=None)
    assert schema_accepts("/conventions", body)
    created = api.post("/conventions", token, body)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert api.post(f"/conventions/{created.get_json()['id']}/open", token).status_code == 200


def test_pdf_bodies_are_described_as_bytes() -> None:
    spec = document()
    for path in ("/verify", "/conventions/{convention_id}/document"):
        schema = spec["paths"][path]["post"]["requestBody"]["content"]["application/pdf"]["schema"]
        assert schema == {"type": "string", "format": "binary", "contentMediaType": "application/pdf"}


def test_signing_a_refused_slot_says_why_in_a_sentence(app: Flask, api: Api, territory: Territory) -> None:
    """Schemathesis signed after refusing: the answer's detail was the bare motive ("0")."""
    mayor = territory.holder("Maire")
    token = token_for(app, mayor.email)
    convention_id = open_convention(app, territory)
    body = api.get(f"/conventions/{convention_id}", token).get_json()
    slot = next(s["id"] for s in body["signatories"] if s["office"] == mayor.title)
    base = f"/conventions/{convention_id}/signatories/{slot}"
    assert api.post(f"{base}/refusal", token, {"reason": "0"}).status_code == 201
    refused = problem(api.post(f"{base}/signature", token, {"passphrase": "x", "seen_sha256": body["document_sha256"]}),
                      422)
    assert refused["code"] == "signing_refused" and "refusée" in refused["detail"] and "« 0 »" in refused["detail"]
