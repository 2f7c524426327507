"""Administration pages: who may open each, and the forms' rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.extensions import db
from convsign.models import Mandate, Organisation, OrganisationKind, Role, User
from tests.conftest import Auth, Factory, post_form, text

PAGES = ["/admin/organisations", "/admin/organisations/nouvelle", "/admin/organisations/{org}/modifier",
         "/admin/utilisateurs", "/admin/utilisateurs/nouveau", "/admin/utilisateurs/{user}/modifier",
         "/admin/mandats", "/admin/mandats/nouveau"]

EXPECTED = {  # (page, role) -> status; anonymous is redirected to the login page
    "anonymous": dict.fromkeys(PAGES, 302),
    "signatory": dict.fromkeys(PAGES, 403),
    "coordinator": {**dict.fromkeys(PAGES, 403), "/admin/organisations": 200},
    "admin": dict.fromkeys(PAGES, 200),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_page_permissions_by_role(client: FlaskClient, auth: Auth, factory: Factory, role: str) -> None:
    org = factory.organisation()
    target = factory.user(email="target@example.org")
    if role != "anonymous":
        auth.login(factory.user(Role(role), email=f"{role}@example.org").email)
    for page, status in EXPECTED[role].items():
        response = client.get(page.format(org=org.id, user=target.id))
        assert response.status_code == status, (role, page)


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("signatory", 403), ("coordinator", 403),
                                         ("admin", 302)])
def test_deactivation_permissions(app: Flask, client: FlaskClient, auth: Auth, factory: Factory,
                                  role: str, status: int) -> None:
    target = factory.user(email="target@example.org")
    if role != "anonymous":
        auth.login(factory.user(Role(role), email=f"{role}@example.org").email)
    response = post_form(client, f"/admin/utilisateurs/{target.id}/desactiver", {}, token_from="/connexion")
    assert response.status_code == status
    with app.app_context():
        assert db.session.get(User, target.id).active is (role != "admin")  # type: ignore[union-attr]


@pytest.fixture
def admin_client(client: FlaskClient, auth: Auth, factory: Factory) -> FlaskClient:
    auth.login(factory.user(Role.ADMIN, email="admin@example.org").email)
    return client


def test_create_organisation_with_bad_identifiers_keeps_the_typing(app: Flask, admin_client: FlaskClient) -> None:
    data = {"kind": "commune", "name": "Loison-sous-Lens", "siren": "216205238", "insee_code": "6252",
            "population": "5410", "parent_id": ""}
    response = post_form(admin_client, "/admin/organisations/nouvelle", data)
    html = text(response)
    assert response.status_code == 200
    assert "sa clé de contrôle ne correspond pas" in html
    assert 'value="Loison-sous-Lens"' in html and 'value="216205238"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0
    data |= {"siren": "216205237", "insee_code": "6252"}
    html = text(post_form(admin_client, "/admin/organisations/nouvelle", data))
    assert "Ce code INSEE n'a pas la forme" in html
    data |= {"insee_code": "62523"}
    assert post_form(admin_client, "/admin/organisations/nouvelle", data).status_code == 302
    again = text(post_form(admin_client, "/admin/organisations/nouvelle", data))
    assert "Une organisation porte déjà ce SIREN." in again


def test_duplicate_email_is_refused_whatever_the_case(app: Flask, admin_client: FlaskClient,
                                                      factory: Factory) -> None:
    factory.user(email="jeanne@example.org")
    data = {"name": "Autre Jeanne", "email": "JEANNE@example.org", "roles": ["signatory"],
            "organisation_id": "", "preferred_language": "fr"}
    html = text(post_form(admin_client, "/admin/utilisateurs/nouveau", data))
    assert "Un compte utilise déjà cette adresse électronique." in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_admin_cannot_deactivate_themselves(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        me = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
        assert me is not None
    response = post_form(admin_client, f"/admin/utilisateurs/{me.id}/desactiver", {}, token_from="/",
                         follow_redirects=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in text(response)


def test_mandates_do_not_overlap(app: Flask, admin_client: FlaskClient, factory: Factory) -> None:
    commune = factory.organisation(OrganisationKind.COMMUNE, name="Loison-sous-Lens", insee_code="62523")
    first = factory.user(email="maire1@example.org")
    second = factory.user(email="maire2@example.org")
    base = {"organisation_id": str(commune.id), "office_kind": "maire", "office_title": "Maire de Loison-sous-Lens"}
    ok = post_form(admin_client, "/admin/mandats/nouveau",
                   base | {"user_id": str(first.id), "start_date": "2020-07-03", "end_date": ""})
    assert ok.status_code == 302
    overlap = post_form(admin_client, "/admin/mandats/nouveau",
                        base | {"user_id": str(second.id), "start_date": "2024-01-01", "end_date": ""})
    assert "Cette fonction a déjà un titulaire sur cette période" in text(overlap)
    with app.app_context():
        mandate = db.session.scalar(sa.select(Mandate))
        assert mandate is not None
        mandate_id = mandate.id
    ended = post_form(admin_client, f"/admin/mandats/{mandate_id}/modifier",
                      base | {"user_id": str(first.id), "start_date": "2020-07-03", "end_date": "2023-12-31"})
    assert ended.status_code == 302
    follow = post_form(admin_client, "/admin/mandats/nouveau",
                       base | {"user_id": str(second.id), "start_date": "2024-01-01", "end_date": ""})
    assert follow.status_code == 302
    page = text(admin_client.get("/admin/mandats"))
    assert "31 décembre 2023" in page and "1er janvier 2024" in page
