"""Login, logout, invitation and reset flows through the test client."""

from __future__ import annotations

import re
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from convsign.models import Role
from tests.conftest import TEST_PASSWORD, Auth, Factory, csrf_token, post_form, text

BAD_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."


def test_login_page_is_french(client: FlaskClient) -> None:
    response = client.get("/connexion", headers={"Accept-Language": "en-US,en;q=0.9"})
    html = text(response)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Connexion" in html and "Mot de passe oublié ?" in html


def test_login_then_logout(client: FlaskClient, auth: Auth, factory: Factory) -> None:
    factory.user(Role.COORDINATOR, email="claire@example.org", name="Claire Martin")
    response = auth.login("Claire@Example.org")
    assert response.status_code == 302
    assert "Bonjour Claire Martin" in text(client.get("/"))
    auth.logout()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("email,password", [
    ("claire@example.org", "wrong password!"),
    ("nobody@example.org", TEST_PASSWORD),
])
def test_failed_login_does_not_say_which_part_was_wrong(auth: Auth, factory: Factory,
                                                         email: str, password: str) -> None:
    factory.user(email="claire@example.org")
    response = auth.login(email, password)
    assert response.status_code == 200
    assert BAD_CREDENTIALS in text(response)


def test_inactive_account_cannot_log_in(auth: Auth, factory: Factory) -> None:
    factory.user(email="gone@example.org", active=False)
    assert BAD_CREDENTIALS in text(auth.login("gone@example.org"))


def test_login_redirects_only_to_local_paths(client: FlaskClient, factory: Factory) -> None:
    factory.user(email="a@example.org")
    token = csrf_token(client)
    data = {"csrf_token": token, "email": "a@example.org", "password": TEST_PASSWORD}
    response = client.post("/connexion?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/"


def test_session_is_renewed_at_login(client: FlaskClient, auth: Auth, factory: Factory) -> None:
    factory.user(email="a@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("a@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_login_without_csrf_token_is_rejected(client: FlaskClient, factory: Factory) -> None:
    factory.user(email="a@example.org")
    response = client.post("/connexion", data={"email": "a@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré ou ne provient pas de convsign" in text(response)
    with client.session_transaction() as session:
        assert not session.get("_user_id")


def test_logout_without_csrf_token_is_rejected(client: FlaskClient, auth: Auth, factory: Factory) -> None:
    factory.user(email="a@example.org")
    auth.login("a@example.org")
    response = client.post("/deconnexion")
    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_login_is_rate_limited(app: Flask, auth: Auth, factory: Factory) -> None:
    factory.user(email="a@example.org")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = [auth.login("a@example.org", "wrong password!").status_code for _ in range(limit)]
    assert set(statuses) == {200}
    blocked = auth.login("a@example.org")
    assert blocked.status_code == 429
    assert "Trop de tentatives" in text(blocked)


def outbox_links(app: Flask) -> list[str]:
    """Links found in the e-mails written to the instance outbox, oldest first.

    The test client never closes its responses, so the delivery that follows a response in the app
    has not run: deliver what is queued, as `flask --app app outbox send` would, then read the files.
    """
    from convsign.outbox.delivery import deliver_due

    with app.app_context():
        deliver_due()
    files = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))  # named by row id, in queuing order
    links = []
    for path in files:
        body = message_from_bytes(path.read_bytes()).get_payload(decode=True)
        assert isinstance(body, bytes)
        links += re.findall(r"http://localhost(/\S+)", body.decode())
    return links


def submit_link(client: FlaskClient, link: str, data: dict[str, str]) -> Any:
    """Land from the e-mailed link (its token moves into the session), then send the clean form."""
    landed = client.get(link)
    return post_form(client, landed.headers.get("Location", link), data)


def test_reset_link_sets_password_once(app: Flask, client: FlaskClient, auth: Auth, factory: Factory) -> None:
    factory.user(email="a@example.org")
    response = post_form(client, "/mot-de-passe-oublie", {"email": "A@example.org"})
    assert response.status_code == 302
    [link] = outbox_links(app)
    new = {"password": "une nouvelle phrase secrète", "confirm": "une nouvelle phrase secrète"}
    assert submit_link(client, link, new).status_code == 302
    assert auth.login("a@example.org", "une nouvelle phrase secrète").status_code == 302
    auth.logout()
    reused = submit_link(client, link, new) if client.get(link).status_code == 200 else client.get(link)
    assert reused.status_code == 400
    assert "déjà servi" in text(reused)


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(app: Flask, client: FlaskClient) -> None:
    response = post_form(client, "/mot-de-passe-oublie", {"email": "nobody@example.org"}, follow_redirects=True)
    assert "Si un compte correspond à cette adresse" in text(response)
    assert outbox_links(app) == []


def test_expired_link_is_refused(app: Flask, client: FlaskClient, factory: Factory) -> None:
    factory.user(email="a@example.org")
    post_form(client, "/mot-de-passe-oublie", {"email": "a@example.org"})
    [link] = outbox_links(app)
    app.config["RESET_MAX_AGE_HOURS"] = -1
    response = client.get(link)
    assert response.status_code == 400
    assert "expiré" in text(response)


def test_tampered_link_is_refused(app: Flask, client: FlaskClient, factory: Factory) -> None:
    factory.user(email="a@example.org")
    post_form(client, "/mot-de-passe-oublie", {"email": "a@example.org"})
    [link] = outbox_links(app)
    response = client.get(link[:-3] + "xyz")
    assert response.status_code == 400
    assert "pas valide" in text(response)


def test_set_password_form_keeps_errors_on_the_form(app: Flask, client: FlaskClient, factory: Factory) -> None:
    factory.user(email="a@example.org")
    post_form(client, "/mot-de-passe-oublie", {"email": "a@example.org"})
    [link] = outbox_links(app)
    response = submit_link(client, link, {"password": "short", "confirm": "other"})
    html = text(response)
    assert response.status_code == 200
    assert "Les deux mots de passe diffèrent." in html
    assert 'aria-invalid="true"' in html


def test_invitation_flow(app: Flask, client: FlaskClient, auth: Auth, factory: Factory) -> None:
    admin = factory.user(Role.ADMIN, email="admin@example.org")
    org = factory.organisation()
    auth.login(admin.email)
    response = post_form(client, "/admin/utilisateurs/nouveau", {
        "name": "Jeanne Maire", "email": "Jeanne@Example.org", "roles": ["signatory"],
        "organisation_id": str(org.id), "preferred_language": "fr"})
    assert response.status_code == 302
    auth.logout()
    [link] = outbox_links(app)
    assert "/invitation/" in link
    chosen = {"password": "ma phrase de passe", "confirm": "ma phrase de passe"}
    assert submit_link(client, link, chosen).status_code == 302
    assert auth.login("jeanne@example.org", "ma phrase de passe").status_code == 302
    auth.logout()
    assert client.get(link).status_code == 400  # single use


def test_language_switch_to_english(client: FlaskClient) -> None:
    token = csrf_token(client)
    client.post("/langue/en", data={"csrf_token": token, "next": "/connexion"})
    html = text(client.get("/connexion"))
    assert '<html lang="en">' in html
    assert "Log in" in html
