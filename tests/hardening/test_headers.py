"""Issue 8's response hardening: security headers, CSRF, rate limits.

Covered elsewhere and not repeated here: the session renewed at login
(tests/web/test_auth.py::test_session_is_renewed_at_login), the login rate limit
(tests/web/test_auth.py::test_login_is_rate_limited), and the signing key's lockout after wrong
passphrases (tests/web/test_signing.py::test_wrong_passphrase_never_signs_and_locks_the_key).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.api import tokens
from convsign.conventions import services as conventions
from convsign.extensions import db
from convsign.models import Role, Signatory, User
from tests.conftest import Auth, Factory, post_form, text
from tests.world import Territory, build_territory, convention_data, open_convention

STRICT_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
CSRF_MESSAGE = "Le formulaire a expiré ou ne provient pas de convsign"


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


@pytest.fixture
def convention_id(app: Flask, territory: Territory) -> int:
    return open_convention(app, territory)


def directives(response: Any) -> dict[str, str]:
    """The Content-Security-Policy as {directive: its sources}."""
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no CSP on {response.request.path}"
    found = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, _, sources = part.partition(" ")
        found[name] = sources.strip()
    return found


def assert_hardened(response: Any, frame_ancestors: str = "'none'") -> None:
    """The headers every answer carries, whatever it is."""
    policy = directives(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert policy.get("frame-ancestors") == frame_ancestors, response.request.path
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in STRICT_REFERRER_POLICIES
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be ignored or wrong


def token_of(app: Flask, email: str) -> str:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        secret = tokens.create_token(user, "En-têtes", None, datetime.now(UTC)).secret
        db.session.commit()
        return secret


def test_every_kind_of_answer_carries_the_headers(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    bearer = {"Authorization": f"Bearer {token_of(app, territory.coordinator_email)}"}
    samples: list[tuple[str, Callable[[], Any], int, str]] = [
        ("login page", lambda: client.get("/connexion"), 200, "text/html"),
        ("static file", lambda: client.get("/static/css/convsign.css"), 200, "text/css"),
        ("CRL", lambda: client.get("/pki/crl"), 200, "application/pkix-crl"),
        ("JSON API", lambda: client.get("/api/v1/conventions", headers=bearer), 200, "application/json"),
        ("API problem", lambda: client.get("/api/v1/conventions"), 401, "application/problem+json"),
    ]
    for name, call, status, mimetype in samples:
        response = call()
        response.close()  # a static file is streamed from disk: release it
        assert (response.status_code, response.mimetype) == (status, mimetype), name
        assert_hardened(response)
    auth.login(territory.coordinator_email)
    for path, status, mimetype in [
        (f"/conventions/{convention_id}", 200, "text/html"),
        (f"/conventions/{convention_id}/document?revision=1", 200, "application/pdf"),
        ("/page-qui-n-existe-pas", 404, "text/html"),
        (f"/conventions/{convention_id + 1000}", 404, "text/html"),
    ]:
        response = client.get(path)
        assert (response.status_code, response.mimetype) == (status, mimetype), path
        assert_hardened(response)


def test_only_the_inline_pdf_views_may_be_framed_and_by_convsign_only(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    draft_id = _draft(app, territory)
    auth.login(territory.coordinator_email)
    for path in (f"/conventions/{convention_id}/document/apercu", f"/conventions/{draft_id}/apercu"):
        response = client.get(path)
        assert (response.status_code, response.mimetype) == (200, "application/pdf"), path
        assert response.headers["Content-Disposition"].startswith("inline")
        assert_hardened(response, frame_ancestors="'self'")
        assert directives(response) == {"frame-ancestors": "'self'"}  # nothing else relaxed
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    attached = client.get(f"/conventions/{convention_id}/document")
    assert attached.headers["Content-Disposition"].startswith("attachment")
    assert directives(attached)["frame-ancestors"] == "'none'" and attached.headers["X-Frame-Options"] == "DENY"


def _draft(app: Flask, territory: Territory) -> int:
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        draft = conventions.save_draft(convention_data(territory, "Brouillon"), coordinator)
        db.session.commit()
        return draft.id


def test_hsts_over_https_only(client: FlaskClient) -> None:
    secure = client.get("/connexion", base_url="https://localhost")
    hsts = secure.headers.get("Strict-Transport-Security", "")
    assert hsts.startswith("max-age=")
    assert int(hsts.removeprefix("max-age=").split(";")[0]) >= 180 * 24 * 3600
    assert "Strict-Transport-Security" not in client.get("/connexion").headers


def test_forms_without_csrf_token_are_refused_in_french(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory, territory: Territory, convention_id: int
) -> None:
    anonymous = client.post("/mot-de-passe-oublie", data={"email": territory.coordinator_email})
    assert anonymous.status_code == 400 and CSRF_MESSAGE in text(anonymous)
    factory.user(Role.ADMIN, email="admin@example.org")
    auth.login("admin@example.org")
    for path, data in [
        ("/profil", {"name": "Intrus", "preferred_language": "en"}),
        ("/admin/utilisateurs/nouveau", {"name": "Intrus", "email": "intrus@example.org", "roles": "admin"}),
        (f"/conventions/{convention_id}/annuler", {"reason": "Falsifié"}),
        ("/profil/jetons", {"name": "Volé"}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert CSRF_MESSAGE in text(response), path
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "intrus@example.org")) is None


def test_password_reset_requests_are_rate_limited(app: Flask, client: FlaskClient) -> None:
    limit = int(app.config["RESET_RATE_LIMIT"].split()[0])
    statuses = [
        post_form(client, "/mot-de-passe-oublie", {"email": f"x{n}@example.org"}).status_code for n in range(limit)
    ]
    assert set(statuses) == {302}
    blocked = post_form(client, "/mot-de-passe-oublie", {"email": "x@example.org"})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in text(blocked)


def test_signature_attempts_are_rate_limited_per_person(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    app.config["SIGNING_RATE_LIMIT"] = "3 per minute"
    first, second = territory.holders[0], territory.holders[1]
    auth.login(first.email)
    slot = _slot(app, convention_id, first.office_id)
    # Unapproved forms: refused by validation (422) before any slow passphrase check, yet counted.
    statuses = [_attempt(client, slot) for _ in range(3)]
    assert statuses == [422, 422, 422]
    blocked = post_form(client, f"/signer/{slot}", {}, token_from=f"/signer/{slot}")
    assert blocked.status_code == 429
    assert "Trop de tentatives" in text(blocked)
    assert client.get(f"/signer/{slot}").status_code == 200  # reading the page is not an attempt
    auth.logout()
    auth.login(second.email)  # a colleague from the same address is not held back
    assert _attempt(client, _slot(app, convention_id, second.office_id)) == 422


def _attempt(client: FlaskClient, slot: int) -> int:
    return int(post_form(client, f"/signer/{slot}", {}, token_from=f"/signer/{slot}").status_code)


def _slot(app: Flask, convention_id: int, office_id: int) -> int:
    with app.app_context():
        found = db.session.scalar(
            sa.select(Signatory.id).where(Signatory.convention_id == convention_id, Signatory.office_id == office_id)
        )
        assert found is not None
        return found
