"""Issue 12, points 1, 2 and 6: forged hosts on e-mailed links, replayed cookies, tokens in URLs, caches."""

from __future__ import annotations

import re
from email import message_from_bytes
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from convsign import create_app
from convsign.config import MissingExternalUrl
from convsign.extensions import db
from convsign.models import Role, User
from convsign.outbox.delivery import deliver_due
from tests.conftest import TEST_PASSWORD, Auth, Factory, _base_config, post_form, text

NEW = {"password": "une nouvelle phrase secrète", "confirm": "une nouvelle phrase secrète"}


def sent_bodies(app: Flask) -> list[str]:
    """The bodies of the e-mails written to the outbox folder, oldest first."""
    with app.app_context():
        deliver_due()
    bodies = []
    for path in sorted((Path(app.instance_path) / "outbox").glob("*.eml")):
        payload = message_from_bytes(path.read_bytes()).get_payload(decode=True)
        assert isinstance(payload, bytes)
        bodies.append(payload.decode())
    return bodies


@pytest.mark.parametrize("headers", [
    {"Host": "attacker.example"},
    {"X-Forwarded-Host": "attacker.example"},
])
def test_forged_host_does_not_reach_the_reset_link(
    app: Flask, client: FlaskClient, factory: Factory, headers: dict[str, str]
) -> None:
    app.config["EXTERNAL_URL"] = "https://convsign.agglo.example"
    app.config["WTF_CSRF_ENABLED"] = False  # the attacker's own session, on the forged host
    factory.user(Role.ADMIN, email="admin@example.org")
    client.post("/mot-de-passe-oublie", data={"email": "admin@example.org"}, headers=headers)
    [body] = sent_bodies(app)
    assert "attacker.example" not in body
    assert re.search(r"https://convsign\.agglo\.example/reinitialisation/\S+", body)


def test_forged_forwarded_host_behind_a_proxy_does_not_reach_the_invitation(
    migrated_database: str, tmp_path: Path, factory: Factory
) -> None:
    """The production setting of README (one proxy) with a client-supplied X-Forwarded-Host."""
    config = _base_config(migrated_database, tmp_path / "proxied")
    config.update(PROXY_COUNT=1, EXTERNAL_URL="https://convsign.agglo.example")
    proxied = create_app(config)
    admin = factory.user(Role.ADMIN, email="admin@example.org")
    client = proxied.test_client()
    Auth(client).login(admin.email)
    post_form(client, "/admin/utilisateurs/nouveau",
              {"name": "Nouvelle Personne", "email": "nouvelle@example.org", "roles": "signatory",
               "organisation_id": "",
               "preferred_language": "fr"},
              headers={"X-Forwarded-Host": "attacker.example", "X-Forwarded-For": "203.0.113.9"})
    bodies = sent_bodies(proxied)
    assert bodies and all("attacker.example" not in body for body in bodies)
    assert any("https://convsign.agglo.example/invitation/" in body for body in bodies)
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_untrusted_host_gets_400(app: Flask, client: FlaskClient) -> None:
    app.config["TRUSTED_HOSTS"] = ["convsign.agglo.example"]
    assert client.get("/connexion", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/connexion", headers={"Host": "convsign.agglo.example"}).status_code == 200


def test_production_refuses_to_start_without_external_url(migrated_database: str, tmp_path: Path) -> None:
    config = _base_config(migrated_database, tmp_path / "prod")
    config.update(TESTING=False, EXTERNAL_URL=None)
    with pytest.raises(MissingExternalUrl):
        create_app(config)


def test_trusted_hosts_from_a_comma_separated_variable(
    migrated_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVSIGN_TRUSTED_HOSTS", "a.example, b.example")
    app = create_app(_base_config(migrated_database, tmp_path / "hosts"))
    assert app.config["TRUSTED_HOSTS"] == ["a.example", "b.example"]
    with app.app_context():
        db.engine.dispose()


def _replay(client: FlaskClient, cookie: str) -> int:
    client.set_cookie("session", cookie)
    return client.get("/profil").status_code


def test_cookie_saved_before_logout_no_longer_opens_the_profile(client: FlaskClient, auth: Auth,
                                                                factory: Factory) -> None:
    factory.user(email="maire@example.org")
    auth.login("maire@example.org")
    saved = client.get_cookie("session")
    assert saved is not None and _replay(client, saved.value) == 200
    auth.logout()
    assert _replay(client, saved.value) == 302


def test_cookie_saved_before_a_password_reset_is_dead_after_it(app: Flask, factory: Factory) -> None:
    factory.user(email="maire@example.org")
    victim, thief = app.test_client(), app.test_client()
    Auth(thief).login("maire@example.org")
    stolen = thief.get_cookie("session")
    assert stolen is not None
    post_form(victim, "/mot-de-passe-oublie", {"email": "maire@example.org"})
    [link] = re.findall(r"http://localhost(/reinitialisation/\S+)", sent_bodies(app)[0])
    victim.get(link)
    assert post_form(victim, "/reinitialisation", NEW).status_code == 302
    assert _replay(thief, stolen.value) == 302


def test_logout_everywhere_ends_the_other_devices(app: Flask, factory: Factory) -> None:
    factory.user(email="maire@example.org")
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login("maire@example.org")
    Auth(phone).login("maire@example.org")
    assert "Se déconnecter partout" in text(laptop.get("/profil"))
    response = post_form(laptop, "/profil/deconnexion-partout", {}, token_from="/profil")
    assert response.status_code == 302
    assert phone.get("/profil").status_code == 302
    assert laptop.get("/profil").status_code == 302


def test_deactivation_ends_sessions_and_api_tokens_for_good(app: Flask, factory: Factory) -> None:
    from convsign.admin.services import set_user_active
    from convsign.api.tokens import create_token
    from convsign.models.types import utcnow

    user = factory.user(email="maire@example.org")
    with app.app_context():
        secret = create_token(db.session.get(User, user.id), "Suivi", None, utcnow()).secret
        db.session.commit()
    browser, api = app.test_client(), app.test_client()
    Auth(browser).login("maire@example.org")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/conventions", headers=bearer).status_code == 200
    for active in (False, True):  # deactivated, then reactivated: neither the cookie nor the token comes back
        with app.app_context():
            set_user_active(db.session.get(User, user.id), active, None)
            db.session.commit()
    assert browser.get("/profil").status_code == 302
    assert api.get("/api/v1/conventions", headers=bearer).status_code == 401


def test_reset_token_leaves_the_address_bar(app: Flask, client: FlaskClient, factory: Factory) -> None:
    factory.user(email="maire@example.org")
    post_form(client, "/mot-de-passe-oublie", {"email": "maire@example.org"})
    [link] = re.findall(r"http://localhost(/reinitialisation/\S+)", sent_bodies(app)[0])
    landed = client.get(link)
    assert landed.status_code == 302 and landed.headers["Location"] == "/reinitialisation"
    form = client.get("/reinitialisation")
    token = link.rsplit("/", 1)[1]
    assert form.status_code == 200 and token not in form.get_data(as_text=True)
    assert post_form(client, "/reinitialisation", NEW).status_code == 302
    assert client.get(link).status_code == 400  # used: the token is dead
    assert client.get("/reinitialisation").status_code == 400  # and gone from the session


def test_authenticated_pages_and_api_answers_are_not_cached(app: Flask, client: FlaskClient, auth: Auth,
                                                            factory: Factory) -> None:
    factory.user(email="maire@example.org")
    assert "no-store" not in client.get("/connexion").headers.get("Cache-Control", "")
    auth.login("maire@example.org", TEST_PASSWORD)
    for path in ("/", "/profil", "/profil/jetons"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert client.get("/api/v1/conventions").headers.get("Cache-Control") == "no-store"


def test_revoking_a_holders_certificate_ends_their_sessions(app: Flask) -> None:
    """An office left (the mandate ends) or a compromise: the holder's open sessions end with the key."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from convsign.models import Mandate
    from convsign.signing import keys
    from tests.world import PASSPHRASE, build_territory

    territory = build_territory(app, communes=1)
    mayor = territory.holder("Maire")
    browser = app.test_client()
    Auth(browser).login(mayor.email)
    assert browser.get("/profil").status_code == 200
    with app.app_context():
        user = db.session.get(User, mayor.user_id)
        mandate = db.session.scalar(sa.select(Mandate).where(Mandate.office_id == mayor.office_id))
        assert user is not None and mandate is not None
        key = keys.create_key(user, mandate, PASSPHRASE, datetime.now(UTC))
        keys.revoke_key(key, "affiliationChanged", None, datetime.now(UTC))
        db.session.commit()
    assert browser.get("/profil").status_code == 302
