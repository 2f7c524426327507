"""The trusted roots page: an administrator adds a root in PEM, sees it, removes it; a non-CA or
garbage is refused in French; a certificate is registered as a person's own by its fingerprint."""

from __future__ import annotations

import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from flask import Flask
from flask.testing import FlaskClient

from convsign.extensions import db
from convsign.models import AuditEntry, CertificateFingerprint, Role, TrustedRoot, User
from convsign.signing import token_signing
from convsign.trust import platform
from tests.conftest import TEST_PASSWORD, Auth, Factory, csrf_token, post_form, text
from tests.tokens import Hsm, make_ca

PAGE = "/admin/autorites-racines"


def test_an_administrator_adds_sees_and_removes_a_root(app: Flask, client: FlaskClient, factory: Factory,
                                                       auth: Auth) -> None:
    admin = factory.user(Role.ADMIN)
    auth.login(admin.email)
    ca = make_ca("AC des cartes de la région")
    response = post_form(client, PAGE, {"pem": ca.pem.decode()})
    assert response.status_code == 302
    page = text(client.get(PAGE))
    assert "AC des cartes de la région racine" in page
    assert ca.certificate.fingerprint(hashes.SHA256()).hex() in page
    with app.app_context():
        assert ca.certificate in platform.trust_roots()
        root_id = db.session.scalar(sa.select(TrustedRoot.id))
        assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "trusted_root_added"
    response = client.post(f"{PAGE}/{root_id}/retirer", data={"csrf_token": csrf_token(client, PAGE)})
    assert response.status_code == 302
    with app.app_context():
        assert ca.certificate not in platform.trust_roots()


def test_garbage_and_leaf_certificates_are_refused(client: FlaskClient, factory: Factory, auth: Auth,
                                                   hsm: Hsm) -> None:
    auth.login(factory.user(Role.ADMIN).email)
    page = text(post_form(client, PAGE, {"pem": "pas un certificat"}))
    assert "Ce n'est pas un certificat au format PEM" in page
    from cryptography.hazmat.primitives.serialization import Encoding

    leaf = hsm.tokens["maire1-ec"].certificate.public_bytes(Encoding.PEM).decode()
    assert "n'est pas celui d'une autorité de certification" in text(post_form(client, PAGE, {"pem": leaf}))


def test_only_administrators_reach_the_page(client: FlaskClient, factory: Factory, auth: Auth) -> None:
    auth.login(factory.user(Role.COORDINATOR).email)
    assert client.get(PAGE).status_code == 403


def test_a_registered_fingerprint_makes_a_certificate_the_persons(app: Flask, client: FlaskClient, factory: Factory,
                                                                  auth: Auth, hsm: Hsm) -> None:
    admin = factory.user(Role.ADMIN)
    person = factory.user(Role.SIGNATORY, email="autre.adresse@example.org")
    certificate = hsm.tokens["maire1-ec"].certificate  # names another e-mail address
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user is not None and not token_signing.belongs_to(certificate, user)
    auth.login(admin.email)
    response = post_form(client, f"{PAGE}/certificats-personnels",
                         {"user_id": str(person.id), "fingerprint": certificate.fingerprint(hashes.SHA256()).hex()},
                         token_from=PAGE)
    assert response.status_code == 302, text(response)
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user is not None and token_signing.belongs_to(certificate, user)
        row = db.session.scalar(sa.select(CertificateFingerprint))
        assert row is not None and row.registered_by_id == admin.id


def test_a_person_registers_their_certificate_with_their_password(app: Flask, client: FlaskClient, factory: Factory,
                                                                  auth: Auth, hsm: Hsm) -> None:
    person = factory.user(Role.SIGNATORY, email="autre.adresse@example.org")
    certificate = hsm.tokens["maire1-ec"].certificate
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    auth.login(person.email)
    page = "/signature/certificats"
    wrong = post_form(client, page, {"fingerprint": fingerprint, "password": "pas le bon mot de passe"})
    assert wrong.status_code == 422 and "Mot de passe incorrect" in text(wrong)
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user is not None and not token_signing.belongs_to(certificate, user)
    done = post_form(client, page, {"fingerprint": fingerprint.upper(), "password": TEST_PASSWORD})
    assert done.status_code == 302
    assert fingerprint in text(client.get(page))
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user is not None and token_signing.belongs_to(certificate, user)
