"""Refusals and the coordinator's decisions through the web client: each audited, each for managers only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.admin import services as admin
from convsign.extensions import db
from convsign.models import (
    AuditEntry,
    Convention,
    ConventionStatus,
    DocumentRevision,
    OfficeKind,
    OutboxMessage,
    RevisionKind,
    Role,
    Signatory,
    SlotState,
)
from convsign.models.types import local_today
from tests.conftest import Auth, Factory, post_form, text
from tests.integration.test_signing_flow import sign
from tests.web.test_signing import slot_id
from tests.world import Holder, Territory, build_territory, open_convention

REASON = "Le conseil municipal a demandé de revoir l'objectif jeunesse."


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


@pytest.fixture
def convention_id(app: Flask, territory: Territory) -> int:
    return open_convention(app, territory)


def slot(app: Flask, slot_pk: int) -> Signatory:
    with app.app_context():
        found = db.session.get(Signatory, slot_pk)
        assert found is not None
        db.session.expunge(found)
        return found


def convention(app: Flask, convention_pk: int) -> Convention:
    with app.app_context():
        found = db.session.get(Convention, convention_pk)
        assert found is not None
        db.session.expunge(found)
        return found


def audit(app: Flask, action: str) -> list[dict[str, Any]]:
    import json

    with app.app_context():
        return [
            json.loads(e.details) | {"slot_id": e.slot_id, "actor_role": e.actor_role}
            for e in db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        ]


def mails(app: Flask, subject_start: str) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (m.recipient, m.body)
            for m in db.session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.subject.startswith(subject_start))
                .order_by(OutboxMessage.id)
            )
        ]


def refuse(client: FlaskClient, auth: Auth, holder: Holder, slot_pk: int, reason: str = REASON) -> Any:
    auth.login(holder.email)
    response = post_form(client, f"/signer/{slot_pk}/refus", {"reason": reason}, token_from=f"/signer/{slot_pk}")
    auth.logout()
    return response


def test_the_signing_page_offers_refusal(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    mayor = territory.holder("Commune 1")
    auth.login(mayor.email)
    page = text(client.get(f"/signer/{slot_id(app, convention_id, mayor)}"))
    assert "Refuser de signer" in page and 'name="reason"' in page


def test_a_refusal_needs_a_reason(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    mayor = territory.holder("Commune 1")
    slot_pk = slot_id(app, convention_id, mayor)
    response = refuse(client, auth, mayor, slot_pk, reason="   ")
    assert response.status_code == 422
    assert "Indiquez le motif de votre refus." in text(response)
    assert slot(app, slot_pk).state == SlotState.OPEN


def test_a_refusal_is_recorded_audited_and_told_to_the_coordinator(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    mayor = territory.holder("Commune 1")
    slot_pk = slot_id(app, convention_id, mayor)
    assert refuse(client, auth, mayor, slot_pk).status_code == 302
    refused = slot(app, slot_pk)
    assert refused.state == SlotState.REFUSED and refused.refusal_reason == REASON
    assert refused.refused_by_id == mayor.user_id and refused.refused_at is not None
    [entry] = audit(app, "signature_refused")
    assert entry["reason"] == REASON and entry["slot_id"] == slot_pk and entry["actor_role"] == "signataire"
    [(recipient, body)] = mails(app, "Refus de signature")
    assert recipient == territory.coordinator_email
    assert REASON in body and f"/conventions/{convention_id}/refus" in body


def test_only_the_holder_whose_turn_it_is_may_refuse(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    slot_pk = slot_id(app, convention_id, territory.holder("Commune 1"))
    other = refuse(client, auth, territory.holder("Commune 2"), slot_pk)  # a party, but not this office
    assert other.status_code == 422 and "seule la personne qui exerce la fonction" in text(other)
    president = territory.holder("Président")
    waiting = slot_id(app, convention_id, president)
    response = refuse(client, auth, president, waiting)  # stage 2: not their turn yet
    assert response.status_code == 422 and "Votre tour n'est pas encore venu" in text(response)
    assert slot(app, slot_pk).state == SlotState.OPEN and slot(app, waiting).state == SlotState.OPEN


def test_the_circuit_halts_after_the_refused_stage(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    refuse(client, auth, territory.holder("Commune 1"), slot_id(app, convention_id, territory.holder("Commune 1")))
    sign(app, convention_id, territory.holder("Commune 2").email)
    president = slot(app, slot_id(app, convention_id, territory.holder("Président")))
    assert president.invited_at is None  # stage 2 never opened
    auth.login(territory.coordinator_email)
    page = text(client.get(f"/conventions/{convention_id}/refus"))
    assert "Le circuit est arrêté par un refus" in page and REASON in page
    assert "Chaque signataire qui n'a pas refusé doit d'abord avoir signé." in page


def _deputy(app: Flask, territory: Territory) -> int:
    """A deputy mayor of commune 1, held by a new person; returns the office id."""
    with app.app_context():
        user = admin.save_user(
            admin.UserData(
                "Adjointe Déléguée", "adjointe@example.org", frozenset({Role.SIGNATORY}), territory.commune_ids[0]
            ),
            None,
        )
        mandate = admin.save_mandate(
            admin.MandateData(
                territory.commune_ids[0],
                OfficeKind.DEPUTY_MAYOR,
                "Première adjointe de Commune 1",
                user.id,
                date(2020, 7, 3),
                None,
            ),
            None,
        )
        db.session.commit()
        return mandate.office_id


def test_reassign_to_another_office_of_the_same_commune(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    deputy_office = _deputy(app, territory)
    mayor = territory.holder("Commune 1")
    slot_pk = slot_id(app, convention_id, mayor)
    refuse(client, auth, mayor, slot_pk)
    auth.login(territory.coordinator_email)
    page = text(client.get(f"/conventions/{convention_id}/refus/{slot_pk}/reattribuer"))
    assert "Première adjointe de Commune 1 — Adjointe Déléguée" in page
    assert "Maire de Commune 2" not in page  # only offices of the same organisation
    path = f"/conventions/{convention_id}/refus/{slot_pk}/reattribuer"
    assert post_form(client, path, {"office_id": str(territory.holder("Commune 2").office_id)}).status_code == 422
    assert post_form(client, path, {"office_id": str(deputy_office)}).status_code == 302
    reopened = slot(app, slot_pk)
    assert reopened.state == SlotState.OPEN and reopened.office_id == deputy_office
    assert reopened.refusal_reason is None and reopened.invited_at is not None
    [entry] = audit(app, "slot_reassigned")
    assert entry["refusal_reason"] == REASON and entry["from_office"] == "Maire de Commune 1"
    assert entry["actor_role"] == "coordinateur"
    assert ("adjointe@example.org", f"http://localhost/signer/{slot_pk}") in [
        (recipient, f"http://localhost/signer/{slot_pk}")
        for recipient, body in mails(app, "À signer")
        if f"/signer/{slot_pk}" in body
    ]


def test_reassign_to_the_same_office_invites_its_holder_again(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    mayor = territory.holder("Commune 1")
    slot_pk = slot_id(app, convention_id, mayor)
    refuse(client, auth, mayor, slot_pk)
    auth.login(territory.coordinator_email)
    response = post_form(
        client, f"/conventions/{convention_id}/refus/{slot_pk}/reattribuer", {"office_id": str(mayor.office_id)}
    )
    assert response.status_code == 302
    assert slot(app, slot_pk).state == SlotState.OPEN
    assert [r for r, _ in mails(app, "À signer")].count(mayor.email) == 2  # the opening, then the reassignment


def test_cancel_after_a_refusal_tells_every_party(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    refuse(client, auth, territory.holder("Commune 1"), slot_id(app, convention_id, territory.holder("Commune 1")))
    auth.login(territory.coordinator_email)
    response = post_form(
        client,
        f"/conventions/{convention_id}/annuler",
        {"reason": "Texte à revoir."},
        token_from=f"/conventions/{convention_id}/refus",
    )
    assert response.status_code == 302
    assert convention(app, convention_id).status == ConventionStatus.CANCELLED
    assert len(audit(app, "convention_cancelled")) == 1
    told = {recipient for recipient, body in mails(app, "Convention annulée") if "Texte à revoir." in body}
    assert told == {h.email for h in territory.holders} | {territory.coordinator_email}


def test_close_with_the_signatures_obtained(app: Flask, client: FlaskClient, auth: Auth) -> None:
    territory = build_territory(app, communes=1)
    convention_id = open_convention(app, territory)
    sign(app, convention_id, territory.holder("Commune 1").email)
    sign(app, convention_id, territory.holder("Président").email)
    director = territory.holder("Directeur")
    refuse(client, auth, director, slot_id(app, convention_id, director))
    auth.login(territory.coordinator_email)
    path = f"/conventions/{convention_id}/refus/cloturer"
    assert "Clore « Convention Territoriale Globale 2027-2030 »" in text(client.get(path))
    assert post_form(client, path, {"note": "", "confirm": "y"}).status_code == 422
    response = post_form(client, path, {"note": "La CAF signera un avenant séparé.", "confirm": "y"})
    assert response.status_code == 302, text(response)
    closed = convention(app, convention_id)
    assert closed.status == ConventionStatus.SIGNED and closed.closed_reason == "La CAF signera un avenant séparé."
    with app.app_context():
        kinds = [
            r.kind
            for r in db.session.scalars(
                sa.select(DocumentRevision)
                .where(DocumentRevision.convention_id == convention_id)
                .order_by(DocumentRevision.number)
            )
        ]
    assert kinds[-1] == RevisionKind.COMPLETION
    assert slot(app, slot_id(app, convention_id, director)).state == SlotState.REFUSED  # stays unsigned
    [entry] = audit(app, "convention_closed_with_refusals")
    assert entry["refused"][0]["office"] == director.title
    completion = mails(app, "Convention signée")
    assert {r for r, _ in completion} == {h.email for h in territory.holders} | {territory.coordinator_email}
    assert all(f"/conventions/{convention_id}/document" in body and director.title in body for _, body in completion)


def test_close_is_refused_while_slots_remain_unsigned(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    refuse(client, auth, territory.holder("Commune 1"), slot_id(app, convention_id, territory.holder("Commune 1")))
    auth.login(territory.coordinator_email)
    response = post_form(client, f"/conventions/{convention_id}/refus/cloturer", {"note": "Clore.", "confirm": "y"})
    assert response.status_code == 422
    assert convention(app, convention_id).status == ConventionStatus.CIRCULATING
    assert audit(app, "convention_closed_with_refusals") == []


def test_extend_the_deadline(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int
) -> None:
    with app.app_context():
        found = db.session.get(Convention, convention_id)
        assert found is not None
        found.deadline, found.status = local_today() - timedelta(days=2), ConventionStatus.EXPIRED
        db.session.commit()
    auth.login(territory.coordinator_email)
    path = f"/conventions/{convention_id}/echeance"
    earlier = post_form(client, path, {"deadline": (local_today() - timedelta(days=1)).isoformat()})
    assert earlier.status_code == 422 and "ne peut pas être passée" in text(earlier)
    later = (local_today() + timedelta(days=30)).isoformat()
    assert post_form(client, path, {"deadline": later}).status_code == 302
    extended = convention(app, convention_id)
    assert extended.deadline is not None and extended.deadline.isoformat() == later
    assert extended.status == ConventionStatus.CIRCULATING  # an expired convention circulates again
    [entry] = audit(app, "deadline_extended")
    assert entry["deadline"] == later and entry["reopened"] is True


DECISIONS = [
    ("get", "/conventions/{c}/refus", {}),
    ("get", "/conventions/{c}/refus/{s}/reattribuer", {}),
    ("post", "/conventions/{c}/refus/{s}/reattribuer", {"office_id": "{o}"}),
    ("get", "/conventions/{c}/refus/cloturer", {}),
    ("post", "/conventions/{c}/refus/cloturer", {"note": "Clore.", "confirm": "y"}),
    ("get", "/conventions/{c}/echeance", {}),
    ("post", "/conventions/{c}/echeance", {"deadline": "2099-12-31"}),
]


@pytest.mark.parametrize("who,expected", [("signatory", 403), ("other_coordinator", 404), ("admin", None)])
def test_decisions_are_for_the_convention_managers_only(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    factory: Factory,
    territory: Territory,
    convention_id: int,
    who: str,
    expected: int | None,
) -> None:
    mayor = territory.holder("Commune 1")
    slot_pk = slot_id(app, convention_id, mayor)
    refuse(client, auth, mayor, slot_pk)
    emails = {
        "signatory": territory.holder("Commune 2").email,
        "other_coordinator": factory.user(Role.COORDINATOR, organisation=factory.organisation()).email,
        "admin": factory.user(Role.ADMIN).email,
    }
    auth.login(emails[who])
    for method, path, data in DECISIONS:
        url = path.format(c=convention_id, s=slot_pk)
        if method == "get":
            response = client.get(url)
        else:
            values = {k: v.format(o=mayor.office_id) for k, v in data.items()}
            response = post_form(client, url, values, token_from="/")
        if expected is not None:
            assert response.status_code == expected, (method, url)
        else:  # the administrator manages every convention
            assert response.status_code in (200, 302, 422), (method, url, text(response))
    if expected is not None:  # nothing changed
        assert slot(app, slot_pk).state == SlotState.REFUSED
        assert convention(app, convention_id).deadline is None
        assert audit(app, "slot_reassigned") == audit(app, "deadline_extended") == []
    else:
        assert len(audit(app, "slot_reassigned")) == len(audit(app, "deadline_extended")) == 1
