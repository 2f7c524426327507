"""A signature belongs to an office: a mandate change moves the pending slot to the new holder and
revokes the outgoing holder's certificate (earlier signatures stay valid); a deputy signs by
delegation, and the stamp, the signature's reason and the audit entry name the order."""

from __future__ import annotations

import io
import json
import time
from datetime import date, timedelta

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import sqlalchemy as sa
from cryptography import x509
from flask import Flask
from flask.testing import FlaskClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, Role, Signatory, SigningKey, SlotState, User
from convsign.models.types import local_today
from convsign.pdf.fields import list_signature_fields
from convsign.pdf.validation import validate_document
from convsign.trust import platform
from tests.conftest import TEST_PASSWORD, Auth, post_form, text
from tests.web.test_signing import sign_through_pages, slot_id
from tests.world import Holder, Territory, build_territory, open_convention


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


def new_person(app: Flask, name: str, email: str, organisation_id: int | None) -> int:
    from convsign.admin import services as admin
    from convsign.auth.passwords import hash_password

    with app.app_context():
        user = admin.save_user(admin.UserData(name, email, frozenset({Role.SIGNATORY}), organisation_id), None)
        user.password_hash = hash_password(TEST_PASSWORD)
        db.session.commit()
        return user.id


def admin_client(app: Flask, client: FlaskClient, auth: Auth) -> None:
    new_admin = new_person(app, "Administration", "admin@example.org", None)
    with app.app_context():
        user = db.session.get(User, new_admin)
        assert user is not None
        user.set_roles({Role.ADMIN})
        db.session.commit()
    assert auth.login("admin@example.org").status_code == 302


def test_a_mandate_change_moves_the_pending_slot_and_revokes_the_old_certificate(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory
) -> None:
    mayor = territory.holder("Commune 1")
    signed_before = open_convention(app, territory, title="CTG signée avant les élections")
    pending = open_convention(app, territory, title="CTG encore à signer")
    assert sign_through_pages(client, auth, mayor, slot_id(app, signed_before, mayor)).status_code == 302  # type: ignore[attr-defined]
    with app.app_context():
        old_key = db.session.scalar(sa.select(SigningKey).where(SigningKey.user_id == mayor.user_id))
        assert old_key is not None
        old_serial, mandate_id = int(old_key.serial_hex, 16), old_key.mandate_id
    time.sleep(1.1)  # CRLs and timestamps are in whole seconds: revoke strictly after the signature

    admin_client(app, client, auth)
    successor = new_person(app, "Nouvelle Maire", "nouvelle.maire@example.org", mayor.organisation_id)
    yesterday, today = local_today() - timedelta(days=1), local_today()
    ended = post_form(
        client,
        f"/admin/mandats/{mandate_id}/modifier",
        {
            "organisation_id": mayor.organisation_id,
            "office_kind": "maire",
            "office_title": mayor.title,
            "user_id": mayor.user_id,
            "start_date": "2020-07-03",
            "end_date": yesterday.isoformat(),
        },
    )
    assert ended.status_code == 302, text(ended)
    started = post_form(
        client,
        "/admin/mandats/nouveau",
        {
            "organisation_id": mayor.organisation_id,
            "office_kind": "maire",
            "office_title": mayor.title,
            "user_id": successor,
            "start_date": today.isoformat(),
        },
    )
    assert started.status_code == 302, text(started)
    auth.logout()

    crl = x509.load_der_x509_crl(client.get("/pki/crl").get_data())
    listed = crl.get_revoked_certificate_by_serial_number(old_serial)
    assert listed is not None
    assert (
        listed.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.affiliation_changed
    )

    slot = slot_id(app, pending, mayor)
    assert auth.login(mayor.email).status_code == 302  # the outgoing mayor no longer sees the pending slot
    assert client.get(f"/signer/{slot}").status_code == 404
    auth.logout()
    new_holder = Holder(mayor.office_id, mayor.organisation_id, successor, "nouvelle.maire@example.org", mayor.title, 1)
    assert sign_through_pages(client, auth, new_holder, slot).status_code == 302  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.get(Signatory, slot).signed_by_id == successor  # type: ignore[union-attr]
        keys = db.session.scalars(sa.select(SigningKey).order_by(SigningKey.id)).all()
        assert [(k.user_id, k.revocation_reason) for k in keys] == [
            (mayor.user_id, "affiliationChanged"),
            (successor, None),
        ]
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "mandate_ended")) is not None
        convention = db.session.get(Convention, signed_before)
        assert convention is not None
        report = validate_document(documents.latest_content(convention), platform.trust_settings())
    by_mayor = [s for s in report.signatures if s.kind == "approval" and s.signer and "Élu·e" in s.signer]
    assert len(by_mayor) == 1
    signature = by_mayor[0]
    assert signature.revoked_at is not None  # revoked since, and the report says so...
    assert signature.timestamp_time is not None and signature.timestamp_time < signature.revoked_at
    assert signature.ok and signature.trusted  # ...but made and timestamped before: still valid


def _flattened_text(pdf: bytes, page_index: int) -> str:
    """Text of a page once its widget appearances are merged into it (pdfium), via pypdf."""
    document = pdfium.PdfDocument(pdf)
    page = document[page_index]
    assert pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) == pdfium_c.FLATTEN_SUCCESS
    page.close()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return PdfReader(io.BytesIO(out.getvalue())).pages[page_index].extract_text()


def test_a_deputy_signs_by_delegation(app: Flask, client: FlaskClient, auth: Auth, territory: Territory) -> None:
    mayor = territory.holder("Commune 1")
    convention_id = open_convention(app, territory)
    slot = slot_id(app, convention_id, mayor)
    deputy = new_person(app, "Jeanne Adjointe", "adjointe@example.org", mayor.organisation_id)
    admin_client(app, client, auth)
    assert "Délégations" in text(client.get("/admin/delegations"))
    created = post_form(
        client,
        "/admin/delegations/nouvelle",
        {
            "office_id": mayor.office_id,
            "delegate_user_id": deputy,
            "delegate_title": "Première adjointe au maire",
            "order_number": "2024-17",
            "order_date": "2024-07-03",
            "scope": "Signature des conventions avec la CAF",
            "start_date": "2024-07-03",
        },
    )
    assert created.status_code == 302, text(created)
    auth.logout()

    as_deputy = Holder(mayor.office_id, mayor.organisation_id, deputy, "adjointe@example.org", mayor.title, 1)
    response = sign_through_pages(client, auth, as_deputy, slot)
    assert response.status_code == 302, text(response)  # type: ignore[attr-defined]
    with app.app_context():
        found = db.session.get(Signatory, slot)
        assert found is not None and found.state == SlotState.SIGNED and found.signed_by_id == deputy
        pdf = documents.content(documents.revision(found.convention, found.signed_revision))
        field_name = found.field_name
        key = db.session.scalar(sa.select(SigningKey).where(SigningKey.user_id == deputy))
        assert key is not None and key.delegation_id is not None and key.mandate_id is None
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "signature_created"))
        assert entry is not None and entry.actor_id == deputy
        assert json.loads(entry.details)["delegation_order"] == "arrêté n° 2024-17 du 3 juillet 2024"
    certificate = x509.load_der_x509_certificate(key.certificate_der)
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.TITLE)[0].value == "Première adjointe au maire"

    page = next(f.page_index for f in list_signature_fields(pdf) if f.name == field_name)
    assert page is not None
    stamp = " ".join(_flattened_text(pdf, page).split())
    assert "Pour le maire et par délégation, Jeanne Adjointe, Première adjointe au maire" in stamp, stamp
    signature = next(s for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures if s.field_name == field_name)
    reason = str(signature.sig_object["/Reason"])
    assert reason == "Approbation de la convention — par délégation, arrêté n° 2024-17 du 3 juillet 2024"


def test_an_ended_delegation_no_longer_signs(app: Flask, client: FlaskClient, auth: Auth, territory: Territory) -> None:
    mayor = territory.holder("Commune 1")
    convention_id = open_convention(app, territory)
    slot = slot_id(app, convention_id, mayor)
    deputy = new_person(app, "Jeanne Adjointe", "adjointe@example.org", mayor.organisation_id)
    from convsign.admin import delegations

    with app.app_context():
        delegation = delegations.create_delegation(
            delegations.DelegationData(
                mayor.office_id,
                deputy,
                "Première adjointe au maire",
                "2024-17",
                date(2024, 7, 3),
                "CTG",
                date(2024, 7, 3),
                None,
            ),
            None,
        )
        delegation_id = delegation.id
        db.session.commit()
    admin_client(app, client, auth)
    assert (
        post_form(
            client, f"/admin/delegations/{delegation_id}/terminer", {}, token_from="/admin/delegations"
        ).status_code
        == 302
    )
    auth.logout()
    assert auth.login("adjointe@example.org").status_code == 302
    assert client.get(f"/signer/{slot}").status_code == 404
