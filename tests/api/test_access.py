"""Who may call what: 401 without a usable token (cookie or not), 403 on another's slot, 404 unseen;
tokens created on the profile page and by the command, shown once, revoked at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from convsign.api import tokens
from convsign.extensions import db
from convsign.models import ApiToken, AuditEntry, SigningKey, User
from tests.api.conftest import Api, bearer, problem, token_for
from tests.conftest import Auth, Factory, post_form, text
from tests.web.test_signing import slot_id
from tests.world import PASSPHRASE, Territory, build_territory, open_convention


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


def test_no_usable_token_is_401_even_with_a_session_cookie(
    app: Flask, client: FlaskClient, auth: Auth, api: Api, territory: Territory
) -> None:
    token = token_for(app, territory.coordinator_email)
    assert api.get("/conventions", token).status_code == 200
    assert problem(client.get("/api/v1/conventions"), 401)["code"] == "unauthorized"
    assert client.get("/api/v1/conventions").headers["WWW-Authenticate"].startswith("Bearer")
    assert auth.login(territory.coordinator_email).status_code == 302
    assert client.get("/conventions/").status_code == 200  # the cookie works for the pages…
    problem(client.get("/api/v1/conventions"), 401)  # …never for the API
    problem(client.post("/api/v1/conventions", json={"title": "x"}), 401)
    for header in ("Bearer", f"Basic {token}", f"Bearer {token}x", "Bearer cvs_", token):
        problem(client.get("/api/v1/conventions", headers={"Authorization": header}), 401)


def test_revoked_expired_and_deactivated_tokens_are_401(app: Flask, api: Api, territory: Territory) -> None:
    revoked, expired, ok = (token_for(app, territory.coordinator_email, days=1) for _ in range(3))
    with app.app_context():
        rows = {row.token_hash: row for row in db.session.scalars(sa.select(ApiToken))}
        owner = rows[tokens.digest(revoked)].user
        tokens.revoke_token(rows[tokens.digest(revoked)], owner, datetime.now(UTC))
        rows[tokens.digest(expired)].expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    problem(api.get("/conventions", revoked), 401)
    problem(api.get("/conventions", expired), 401)
    assert api.get("/conventions", ok).status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert user is not None
        user.active = False
        db.session.commit()
    problem(api.get("/conventions", ok), 401)


def test_another_users_token_gets_403_on_every_slot_level_endpoint(
    app: Flask, api: Api, factory: Factory, territory: Territory
) -> None:
    convention_id = open_convention(app, territory)
    mayor, other_mayor = territory.holders[0], territory.holders[1]
    slot = slot_id(app, convention_id, mayor)
    intruder = token_for(app, other_mayor.email)  # signs the same convention: sees it, but not this slot
    base = f"/conventions/{convention_id}/signatories/{slot}"
    calls = {
        "signing-key": {"passphrase": PASSPHRASE},
        "refusal": {"reason": "Non."},
        "signature": {"passphrase": PASSPHRASE, "seen_sha256": "0" * 64},
        "reassignment": {"office_id": 1},
    }
    for action, body in calls.items():
        assert problem(api.post(f"{base}/{action}", intruder, body), 403)["code"] == "forbidden", action
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 0
    outsider = token_for(app, factory.user(email="ailleurs@example.org").email)
    for action, body in calls.items():  # a person who may not see the convention: as if it did not exist
        if action != "reassignment":  # (that one is refused first for the role: 403)
            problem(api.post(f"{base}/{action}", outsider, body), 404)
    problem(api.get(f"/conventions/{convention_id}", outsider), 404)


def test_a_wrong_passphrase_is_422_and_counted(app: Flask, api: Api, territory: Territory) -> None:
    convention_id = open_convention(app, territory)
    mayor = territory.holders[0]
    slot, token = slot_id(app, convention_id, mayor), token_for(app, mayor.email)
    base = f"/conventions/{convention_id}/signatories/{slot}"
    seen = api.get(f"/conventions/{convention_id}", token).get_json()["document_sha256"]
    assert (
        problem(api.post(f"{base}/signature", token, {"passphrase": PASSPHRASE, "seen_sha256": seen}), 422)["code"]
        == "no_signing_key"
    )
    assert (
        problem(api.post(f"{base}/signing-key", token, {"passphrase": "court"}), 422)["errors"][0]["field"]
        == "passphrase"
    )
    assert api.post(f"{base}/signing-key", token, {"passphrase": PASSPHRASE}).status_code == 201
    assert problem(api.post(f"{base}/signing-key", token, {"passphrase": PASSPHRASE}), 422)
    wrong = api.post(f"{base}/signature", token, {"passphrase": "pas la bonne phrase", "seen_sha256": seen})
    assert problem(wrong, 422)["code"] == "wrong_signing_passphrase"
    assert (
        problem(api.post(f"{base}/signature", token, {"passphrase": PASSPHRASE, "seen_sha256": "abc"}), 422)["errors"][
            0
        ]["field"]
        == "seen_sha256"
    )
    with app.app_context():
        key = db.session.scalar(sa.select(SigningKey))
        assert key is not None and key.failed_attempts == 1
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "signing_passphrase_wrong")) == 1


def test_the_profile_page_creates_shows_once_and_revokes(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory, api: Api
) -> None:
    user = factory.user(email="agent@example.org")
    auth.login(user.email)
    assert "/profil/jetons" in text(client.get("/profil"))
    page = post_form(client, "/profil/jetons", {"name": "Logiciel de la CAF", "days": "30"})
    assert page.status_code == 200
    secret = re.search(r"(cvs_[A-Za-z0-9_-]{43})", text(page))
    assert secret, text(page)
    assert api.get("/conventions", secret.group(1)).get_json() == {"conventions": []}
    listing = text(client.get("/profil/jetons"))
    assert "Logiciel de la CAF" in listing and secret.group(1) not in listing and secret.group(1)[:10] in listing
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    other = factory.user(email="autre@example.org")
    assert post_form(client, f"/profil/jetons/{token_id}/revoquer", {}, token_from="/profil/jetons").status_code == 302
    problem(api.get("/conventions", secret.group(1)), 401)
    auth.logout()
    auth.login(other.email)  # another person's token is not theirs to revoke
    assert post_form(client, f"/profil/jetons/{token_id}/revoquer", {}, token_from="/profil/jetons").status_code == 404
    assert post_form(client, "/profil/jetons", {"name": "", "days": ""}).status_code == 422


def test_the_command_creates_a_token(app: Flask, runner: FlaskCliRunner, api: Api, factory: Factory) -> None:
    user = factory.user(email="script@example.org")
    result = runner.invoke(args=["token", "create", user.email, "--name", "Suivi", "--days", "7"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("cvs_") and api.get("/conventions", secret).status_code == 200
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken))
        assert row is not None and row.name == "Suivi" and row.expires_at is not None
        assert row.token_hash == tokens.digest(secret) and secret not in (row.token_hash, row.prefix)
    assert runner.invoke(args=["token", "create", "personne@nulle.part"]).exit_code == 1
    assert runner.invoke(args=["token", "create", user.email, "--days", "0"]).exit_code == 1


def test_the_token_is_not_sent_to_another_origin_by_a_browser_form(client: FlaskClient) -> None:
    """A form another site makes a browser post carries no Authorization header: refused, and no CSRF hole."""
    response = client.post(
        "/api/v1/conventions/1/cancel", data={"reason": "x"}, headers={"Origin": "https://ailleurs.example"}
    )
    problem(response, 401)
    assert "Set-Cookie" not in response.headers
    assert bearer("t") == {"Authorization": "Bearer t"}
