"""Issue 12, point 8: webhooks to loopback, link-local or private addresses are refused."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.api import targets
from convsign.extensions import db
from convsign.models import OutboxKind, OutboxMessage, Role, WebhookEndpoint
from convsign.outbox.delivery import deliver_due
from tests.conftest import Auth, Factory, post_form, text
from tests.world import Territory, build_territory, open_convention


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.5/hook",
    "http://192.168.1.10/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
])
def test_registration_refuses_internal_addresses(client: FlaskClient, factory: Factory, url: str) -> None:
    org = factory.organisation()
    admin = factory.user(Role.ADMIN, email="admin@example.org")
    Auth(client).login(admin.email)
    page = post_form(client, "/admin/webhooks", {"organisation_id": str(org.id), "url": url, "secret": ""})
    assert "Adresse interne refusée" in text(page)
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0


def test_public_addresses_and_names_are_accepted_at_registration() -> None:
    assert not targets.refused_as_written("93.184.215.14")
    assert not targets.refused_as_written("hooks.agglo.invalid")  # not resolvable yet: delivery decides


def test_a_name_resolving_to_a_private_address_is_refused_at_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name of an intranet host (the DNS answer is simulated: the test machine has no such name)."""
    def resolve(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "intranet.agglo.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert targets.refused_as_written("intranet.agglo.example")


class Receiver:
    """A receiver on loopback that counts what reaches it."""

    def __init__(self) -> None:
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.hits += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


def test_delivery_checks_the_resolved_address(app: Flask, receiver: Receiver, territory: Territory) -> None:
    """A name that resolves to loopback at delivery time (here `localhost` itself, stored as if it had
    passed registration when it pointed elsewhere) is refused; allowed, the same delivery goes through."""
    with app.app_context():
        db.session.add(WebhookEndpoint(organisation_id=territory.epci_id,
                                       url=f"http://localhost:{receiver.port}/hook", secret="s" * 32))
        db.session.commit()
    open_convention(app, territory, "Convention à signaler")
    from tests.api.test_webhooks import sign_as

    sign_as(app, territory.holders[0], _convention_id(app))
    with app.app_context():
        deliver_due()
        row = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK)).one()
        assert row.status != "sent" and "Adresse interne refusée" in (row.last_error or "")
    assert receiver.hits == 0
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=sa.func.current_timestamp()))
        db.session.commit()
        deliver_due(ids=[row.id])
    assert receiver.hits == 1


def _convention_id(app: Flask) -> int:
    from convsign.models import Convention

    with app.app_context():
        found = db.session.scalar(sa.select(Convention.id))
        assert found is not None
        return found
