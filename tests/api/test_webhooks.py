"""Webhooks: a receiver on loopback, down for the first attempts, gets each event once, signed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.api import webhooks
from convsign.extensions import db
from convsign.followup import services as followup
from convsign.models import OutboxKind, OutboxMessage, Role, User, WebhookEndpoint
from convsign.outbox.delivery import deliver_due
from convsign.signing import keys
from convsign.signing import services as signing
from tests.api.conftest import Api, token_for
from tests.conftest import Auth, Factory, post_form, text
from tests.web.test_signing import slot_id
from tests.world import PASSPHRASE, Holder, Territory, build_territory, open_convention

SECRET = "un secret partagé pour les essais"
DOWN_FOR = 3


class Receiver:
    """An HTTP server on 127.0.0.1 that answers 503 to its first requests, then 200; it keeps them all."""

    def __init__(self) -> None:
        self.requests: list[tuple[int, dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 503 if len(receiver.requests) < DOWN_FOR else 200
                receiver.requests.append((status, dict(self.headers), body, int(time.time())))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/convsign"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def delivered(self) -> list[tuple[dict[str, str], bytes, int]]:
        return [(headers, body, at) for status, headers, body, at in self.requests if status == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(autouse=True)
def _loopback_receivers(app: Flask) -> None:
    """The receivers of these tests listen on 127.0.0.1: allowed here, refused by default."""
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


def register(client: FlaskClient, auth: Auth, factory: Factory, organisation_id: int, url: str) -> None:
    admin = factory.user(Role.ADMIN, email="admin@example.org")
    auth.login(admin.email)
    page = post_form(client, "/admin/webhooks", {"organisation_id": str(organisation_id), "url": url, "secret": SECRET})
    assert page.status_code == 200 and SECRET in text(page), text(page)
    auth.logout()


def as_user(holder: Holder) -> User:
    user = db.session.get(User, holder.user_id)
    assert user is not None
    return user


def sign_as(app: Flask, holder: Holder, convention_id: int) -> None:
    """Sign through the service, as the page and the API both do."""
    slot = slot_id(app, convention_id, holder)
    with app.app_context():
        user, now = as_user(holder), datetime.now(UTC)
        basis = signing.signing_authority(signing.get_slot(slot), user).basis
        if keys.active_key(user, basis, now) is None:
            keys.create_key(user, basis, PASSPHRASE, now)
        seen = signing.get_slot(slot).convention.latest_sha256 or ""
        signing.sign_slot(slot, user, PASSPHRASE, seen, now)
        db.session.commit()


def refuse_then_reassign(app: Flask, territory: Territory, convention_id: int) -> None:
    mayor = territory.holders[0]
    slot = slot_id(app, convention_id, mayor)
    with app.app_context():
        followup.refuse_slot(slot, as_user(mayor), "Le volet jeunesse doit être revu.", datetime.now(UTC))
        db.session.commit()
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        followup.reassign_slot(convention_id, slot, mayor.office_id, coordinator, datetime.now(UTC))
        db.session.commit()


def deliver_until_done(app: Flask) -> int:
    """Run the outbox sender as cron would, the clock moving past each backoff; returns the rounds."""
    now = datetime.now(UTC)
    for rounds in range(1, 12):
        with app.app_context():
            deliver_due(now=now)
            pending = db.session.scalar(
                sa.select(sa.func.count()).where(
                    OutboxMessage.kind == OutboxKind.WEBHOOK, OutboxMessage.sent_at.is_(None)
                )
            )
        if not pending:
            return rounds
        now += timedelta(minutes=10)
    raise AssertionError("webhooks still pending")


def test_each_event_arrives_once_signed_after_the_receiver_was_down(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory, api: Api, territory: Territory, receiver: Receiver
) -> None:
    register(client, auth, factory, territory.epci_id, receiver.url)
    signed_id = open_convention(app, territory)
    refuse_then_reassign(app, territory, signed_id)
    for holder in territory.holders:
        sign_as(app, holder, signed_id)
    cancelled_id = open_convention(app, territory, "Convention à annuler")
    coordinator = token_for(app, territory.coordinator_email)
    assert api.post(f"/conventions/{cancelled_id}/cancel", coordinator, {"reason": "Texte à revoir"}).status_code == 200
    assert deliver_until_done(app) > 1
    check_deliveries(receiver, signed_id, cancelled_id)
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK)).all()
        assert all(row.status == "sent" and row.transport == "webhook" for row in rows)
        assert sum(row.attempts for row in rows) == len(receiver.requests) == len(rows) + DOWN_FOR
    auth.login("admin@example.org")
    page = text(client.get("/admin/webhooks"))
    assert "signature.created" in page and "remis" in page and "HTTP Error 503" not in page


def check_deliveries(receiver: Receiver, signed_id: int, cancelled_id: int) -> None:
    """Six events, each delivered once, each with a valid HMAC made at the time of its attempt."""
    assert [status for status, *_ in receiver.requests[:DOWN_FOR]] == [503] * DOWN_FOR
    delivered = receiver.delivered()
    ids = [headers[webhooks.DELIVERY_HEADER] for headers, _body, _at in delivered]
    assert len(ids) == len(set(ids)) == 6
    assert {headers[webhooks.DELIVERY_HEADER] for _s, headers, _b, _a in receiver.requests} == set(ids)
    events = []
    for headers, body, at in delivered:
        assert webhooks.signature_valid(SECRET, headers[webhooks.SIGNATURE_HEADER], body, at)
        assert not webhooks.signature_valid("un autre secret, pas le bon", headers[webhooks.SIGNATURE_HEADER], body, at)
        assert not webhooks.signature_valid(SECRET, headers[webhooks.SIGNATURE_HEADER], body + b" ", at)
        assert not webhooks.signature_valid(SECRET, headers[webhooks.SIGNATURE_HEADER], body, at + 3600)  # replayed
        payload = json.loads(body)
        assert payload["event"] == headers[webhooks.EVENT_HEADER]
        # The audit chain's head rides along, for the receiver to keep (issue 12).
        assert payload["audit_head"]["entry"] > 0 and len(payload["audit_head"]["hash"]) == 64
        events.append((payload["event"], payload["convention"]["id"]))
    assert sorted(events) == sorted(
        [
            ("signatory.refused", signed_id),
            *[("signature.created", signed_id)] * 3,
            ("convention.completed", signed_id),
            ("convention.cancelled", cancelled_id),
        ]
    )


def test_only_the_parties_endpoints_get_events_and_a_disabled_one_nothing(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory, territory: Territory
) -> None:
    stranger = factory.organisation(name="Une autre intercommunalité")
    register(client, auth, factory, territory.caf_id, "http://127.0.0.1:9/caf")
    with app.app_context():
        for org_id in (stranger.id, territory.commune_ids[0]):
            db.session.add(WebhookEndpoint(organisation_id=org_id, url=f"http://127.0.0.1:9/{org_id}", secret=SECRET))
        db.session.commit()
        commune_endpoint = db.session.scalar(
            sa.select(WebhookEndpoint).where(WebhookEndpoint.organisation_id == territory.commune_ids[0])
        )
        assert commune_endpoint is not None
        webhooks.set_active(commune_endpoint, False, db.session.get(User, territory.holders[0].user_id))  # type: ignore[arg-type]
        db.session.commit()
    convention_id = open_convention(app, territory)
    refuse_then_reassign(app, territory, convention_id)
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK)).all()
        assert [(row.subject, row.recipient) for row in rows] == [("signatory.refused", "http://127.0.0.1:9/caf")]
    auth.login("admin@example.org")
    assert client.get("/admin/webhooks").status_code == 200
    bad = post_form(client, "/admin/webhooks", {"organisation_id": str(stranger.id), "url": "ftp://x.example"})
    assert bad.status_code == 422 and "https://" in text(bad)
    auth.logout()
    auth.login(territory.coordinator_email)
    assert client.get("/admin/webhooks").status_code == 403
