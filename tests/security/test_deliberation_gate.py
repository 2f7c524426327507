"""Issue 12, point 5: the deliberation gate does not rest on the signatory's own word, is frozen once
signed, and its pages follow the convention's visibility."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.auth import passwords
from convsign.conventions import circuit
from convsign.conventions import services as conventions
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, Deliberation, DeliberationCorrection, Role, Signatory, User
from convsign.models.types import local_today
from tests.conftest import TEST_PASSWORD, Auth, post_form, text
from tests.web.test_deliberations import party_id, siren, valid_form
from tests.web.test_signing import sign_through_pages, slot_id
from tests.world import Territory, build_territory, convention_data, open_convention


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


@pytest.fixture
def convention_id(app: Flask, territory: Territory) -> int:
    return open_convention(app, territory, waive_deliberations=False)


def unattested(commune_siren: str) -> dict[str, str]:
    """Executory by its own dates, but without the prefecture's @ctes acknowledgement."""
    return valid_form(commune_siren, actes_identifier="", acknowledged_on="")


def mayor_slot_status(app: Flask, territory: Territory, convention_id: int) -> circuit.SlotStatus:
    slot = slot_id(app, convention_id, territory.holder("Maire"))
    with app.app_context():
        found = db.session.get(Signatory, slot)
        assert found is not None
        return circuit.statuses(found.convention, local_today())[slot]


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return out.getvalue()


def test_a_deliberation_the_mayor_records_alone_does_not_open_their_gate(
    app: Flask, territory: Territory, convention_id: int
) -> None:
    commune = territory.commune_ids[0]
    party = party_id(app, convention_id, commune)
    mayor, coordinator = app.test_client(), app.test_client()
    Auth(mayor).login(territory.holder("Maire").email)
    Auth(coordinator).login(territory.coordinator_email)
    recorded = post_form(mayor, f"/deliberations/partie/{party}",
                         {**unattested(siren(app, commune)), "pdf": (io.BytesIO(blank_pdf()), "d.pdf")})
    assert recorded.status_code == 302, text(recorded)
    status = mayor_slot_status(app, territory, convention_id)
    assert status.code == circuit.BLOCKED and "à confirmer" in (status.reason or "")
    refused = confirm(mayor, party)
    assert refused.status_code == 422 and "Vous signez pour" in text(refused)
    assert mayor_slot_status(app, territory, convention_id).code == circuit.BLOCKED
    page = text(coordinator.get(f"/deliberations/partie/{party}"))
    assert "Confirmer cette délibération sur pièce" in page
    confirmed = confirm(coordinator, party)
    assert confirmed.status_code == 302, text(confirmed)
    assert mayor_slot_status(app, territory, convention_id).code == circuit.TO_SIGN
    # Changing the record afterwards withdraws the confirmation: the gate closes again.
    post_form(mayor, f"/deliberations/partie/{party}", unattested(siren(app, commune)) | {"members_present": "21"})
    assert mayor_slot_status(app, territory, convention_id).code == circuit.BLOCKED


def confirm(client: FlaskClient, party: int) -> Any:
    page = f"/deliberations/partie/{party}"
    return post_form(client, f"{page}/confirmer", {}, token_from=page)


def test_confirmation_needs_another_person_than_who_recorded_and_the_pdf(
    app: Flask, client: FlaskClient, territory: Territory, convention_id: int
) -> None:
    commune = territory.commune_ids[0]
    party = party_id(app, convention_id, commune)
    with app.app_context():  # a second person of the commune with the right: an agent
        agent = User(name="Agent de la commune", email="agent@example.org", organisation_id=commune,
                     password_hash=passwords.hash_password(TEST_PASSWORD))
        agent.set_roles({Role.COORDINATOR})
        db.session.add(agent)
        db.session.commit()
    Auth(client).login(territory.coordinator_email)
    post_form(client, f"/deliberations/partie/{party}", unattested(siren(app, commune)))
    own = confirm(client, party)
    assert own.status_code == 422 and "une autre personne doit la confirmer" in text(own)
    second = app.test_client()
    Auth(second).login("agent@example.org")
    no_pdf = confirm(second, party)
    assert no_pdf.status_code == 422 and "Joignez d'abord le PDF" in text(no_pdf)
    assert mayor_slot_status(app, territory, convention_id).code == circuit.BLOCKED
    post_form(client, f"/deliberations/partie/{party}",
              {**unattested(siren(app, commune)), "pdf": (io.BytesIO(blank_pdf()), "d.pdf")})
    assert confirm(second, party).status_code == 302
    assert mayor_slot_status(app, territory, convention_id).code == circuit.TO_SIGN


def test_the_acknowledged_deliberation_opens_the_gate_and_the_lenient_rule_is_per_convention(
    app: Flask, client: FlaskClient, territory: Territory, convention_id: int
) -> None:
    commune = territory.commune_ids[0]
    party = party_id(app, convention_id, commune)
    Auth(client).login(territory.holder("Maire").email)
    post_form(client, f"/deliberations/partie/{party}", unattested(siren(app, commune)))
    assert mayor_slot_status(app, territory, convention_id).code == circuit.BLOCKED
    post_form(client, f"/deliberations/partie/{party}", valid_form(siren(app, commune)))  # @ctes + AR date
    assert mayor_slot_status(app, territory, convention_id).code == circuit.TO_SIGN
    post_form(client, f"/deliberations/partie/{party}", unattested(siren(app, commune)))
    assert mayor_slot_status(app, territory, convention_id).code == circuit.BLOCKED
    client.post("/deconnexion", data={})
    coordinator = app.test_client()
    Auth(coordinator).login(territory.coordinator_email)
    path = f"/deliberations/convention/{convention_id}"
    assert post_form(client, f"{path}/regle", {"rule": "declared"}, token_from=path).status_code in (302, 400, 403)
    assert post_form(coordinator, f"{path}/regle", {"rule": "declared"}, token_from=path).status_code == 302
    assert mayor_slot_status(app, territory, convention_id).code == circuit.TO_SIGN
    with app.app_context():
        found = db.session.get(Convention, convention_id)
        assert found is not None and found.deliberation_rule == "declared"
        assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == \
            "deliberation_rule_changed"


def test_the_record_a_party_signed_under_is_frozen_and_a_correction_is_a_new_record(
    app: Flask, client: FlaskClient, territory: Territory, convention_id: int
) -> None:
    commune = territory.commune_ids[0]
    party = party_id(app, convention_id, commune)
    mayor = territory.holder("Maire")
    auth = Auth(client)
    auth.login(mayor.email)
    post_form(client, f"/deliberations/partie/{party}", valid_form(siren(app, commune)))
    auth.logout()
    signed = sign_through_pages(client, auth, mayor, slot_id(app, convention_id, mayor))
    assert signed.status_code == 302  # type: ignore[attr-defined]
    auth.login(mayor.email)
    rewrite = valid_form(siren(app, commune), executory_on="2022-12-20", published_on="2022-12-20",
                         members_present="25")
    sent = post_form(client, f"/deliberations/partie/{party}", {**rewrite, "pdf": (io.BytesIO(blank_pdf()), "d.pdf")})
    assert sent.status_code == 302
    with app.app_context():
        [deliberation] = db.session.scalars(sa.select(Deliberation)).all()
        assert str(deliberation.executory_on) == "2022-12-19" and deliberation.members_present == 20
        assert deliberation.pdf_sha256 is None
        [correction] = db.session.scalars(sa.select(DeliberationCorrection)).all()
        assert json.loads(correction.changes) == {"executory_on": "2022-12-20", "members_present": 25,
                                                  "published_on": "2022-12-20"}
        mayor_user = db.session.scalar(sa.select(User).where(User.email == mayor.email))
        assert mayor_user is not None and correction.recorded_by_id == mayor_user.id
        assert correction.pdf_sha256 is not None  # the PDF sent with the correction went with it
        entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "deliberation_corrected"
    page = text(client.get(f"/deliberations/partie/{party}"))
    assert "Corrections enregistrées après la signature" in page and "figé" in page
    with app.app_context():
        slot = db.session.get(Signatory, slot_id(app, convention_id, mayor))
        assert slot is not None and slot.signed_at is not None


def test_a_draft_is_invisible_to_a_mayor_through_the_deliberation_pages(
    app: Flask, client: FlaskClient, territory: Territory
) -> None:
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        draft = conventions.save_draft(convention_data(territory, "Projet confidentiel 2031"), coordinator)
        db.session.commit()
        draft_id = draft.id
    party = party_id(app, draft_id, territory.commune_ids[0])
    Auth(client).login(territory.holder("Maire").email)
    assert client.get(f"/conventions/{draft_id}").status_code == 404
    for path in (f"/deliberations/partie/{party}", f"/deliberations/partie/{party}/extrait.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Projet confidentiel" not in text(response)
    assert post_form(client, f"/deliberations/partie/{party}", valid_form(siren(app, territory.commune_ids[0])),
                     token_from="/profil").status_code == 404
