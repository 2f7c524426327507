"""The outbox against a real SMTP server (aiosmtpd on loopback): down, then up, every message exactly once."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from convsign.extensions import db
from convsign.models import OutboxMessage, Role
from convsign.models.types import utcnow
from convsign.outbox import transports
from convsign.outbox.delivery import CLAIM_TIMEOUT, claim, deliver_due
from convsign.outbox.queue import queue_email
from tests.conftest import Auth, Factory, post_form, text


class Collector:
    """An SMTP handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """A loopback SMTP server on a fixed port, started and stopped at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.collector = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    """The app configured for a loopback SMTP server that is down until the test starts it."""
    server = SmtpServer()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port)
    yield server
    server.stop()


def queue(app: Flask, count: int) -> list[int]:
    with app.app_context():
        rows = [queue_email(f"maire{i}@example.org", f"Message {i}", f"Corps du message {i}\n") for i in range(count)]
        db.session.commit()
        return [row.id for row in rows if row is not None]


def rows(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return found


def test_a_message_exists_only_if_its_transaction_commits(app: Flask) -> None:
    with app.app_context():
        queue_email("a@example.org", "Objet", "Corps")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
        queue_email("a@example.org", "Objet", "Corps")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_a_dedup_key_is_queued_once(app: Flask) -> None:
    with app.app_context():
        assert queue_email("a@example.org", "Relance", "Corps", dedup_key="relance:1:1") is not None
        assert queue_email("a@example.org", "Relance", "Corps", dedup_key="relance:1:1") is None
        db.session.commit()
    assert len(rows(app)) == 1


def test_server_down_then_up_every_message_arrives_exactly_once(app: Flask, smtp: SmtpServer) -> None:
    ids = queue(app, 5)
    start = utcnow()
    with app.app_context():
        report = deliver_due()
    assert (report.claimed, report.sent, report.failed) == (5, 0, 5)
    for row in rows(app):  # nothing lost: each counted, its error kept, retried later
        assert row.sent_at is None and row.attempts == 1 and row.claimed_at is None
        assert row.next_attempt_at is not None and row.next_attempt_at > start
        assert row.last_error and "injoignable" in row.last_error
    with app.app_context():
        assert deliver_due().claimed == 0  # not due yet: the backoff holds

    smtp.start()
    with app.app_context():
        report = deliver_due(now=utcnow() + timedelta(hours=1))  # forced due
    assert report.sent == 5
    sent = rows(app)
    assert sorted(smtp.collector.message_ids()) == sorted(row.message_id for row in sent)
    assert all(row.sent_at is not None and row.attempts == 2 and row.transport == "smtp" for row in sent)
    assert [row.id for row in sent] == ids

    with app.app_context():
        assert deliver_due(now=utcnow() + timedelta(days=2)).claimed == 0
    assert len(smtp.collector.messages) == 5


def test_the_message_as_sent(app: Flask, smtp: SmtpServer) -> None:
    smtp.start()
    with app.app_context():
        queue_email("jeanne@example.org", "À signer : la CTG", "Bonjour Jeanne,\n\nÀ vous de signer.\n")
        db.session.commit()
        deliver_due()
    [message] = smtp.collector.messages
    assert message["To"] == "jeanne@example.org"
    assert str(message["Subject"]) == "À signer : la CTG"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@convsign.invalid>")
    assert "À vous de signer." in message.get_content()


def test_a_crash_after_claiming_sends_once_after_the_claim_expires(app: Flask, smtp: SmtpServer) -> None:
    smtp.start()
    queue(app, 3)
    now = utcnow()
    with app.app_context():
        assert len(claim(10, now)) == 3  # committed claims, then the sender dies before sending
    with app.app_context():
        assert deliver_due(now=now + CLAIM_TIMEOUT / 2).claimed == 0  # a live claim is respected
    assert smtp.collector.messages == []
    with app.app_context():
        report = deliver_due(now=now + CLAIM_TIMEOUT + timedelta(seconds=1))
    assert report.sent == 3
    with app.app_context():
        assert deliver_due(now=now + timedelta(days=1)).claimed == 0
    assert len(smtp.collector.messages) == 3
    assert len(set(smtp.collector.message_ids())) == 3


def test_a_message_is_abandoned_after_the_last_attempt(app: Flask, smtp: SmtpServer) -> None:
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    queue(app, 1)
    with app.app_context():
        assert deliver_due().failed == 1
        assert deliver_due(now=utcnow() + timedelta(hours=1)).abandoned == 1
        assert deliver_due(now=utcnow() + timedelta(days=30)).claimed == 0
    [row] = rows(app)
    assert row.status == "abandoned" and row.attempts == 2 and row.next_attempt_at is None


def test_without_smtp_messages_become_eml_files_written_idempotently(app: Flask) -> None:
    [row_id] = queue(app, 1)
    now = utcnow()
    with app.app_context():
        [claimed] = claim(1, now)
        transport = transports.make_transport()
        transport.send(transports.build_email(claimed), claimed)  # written, then a crash before `sent_at`
        report = deliver_due(now=now + CLAIM_TIMEOUT + timedelta(seconds=1))
    assert report.sent == 1
    files = list((Path(app.instance_path) / "outbox").glob("*"))
    assert len(files) == 1 and files[0].suffix == ".eml"  # the second write replaced the first
    [row] = rows(app)
    assert row.transport == "file" and files[0].name.startswith(f"{row_id:08d}-")
    assert message_from_bytes(files[0].read_bytes())["Message-ID"] == row.message_id


def test_outbox_send_command_reports_and_fails_while_the_server_is_down(
    app: Flask, runner: FlaskCliRunner, smtp: SmtpServer
) -> None:
    queue(app, 2)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "0 message(s) envoyé(s), 2 à réessayer" in result.output
    assert "injoignable" in result.output
    smtp.start()
    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "2 message(s) envoyé(s), 0 à réessayer" in result.output
    assert len(smtp.collector.messages) == 2


def test_messages_queued_by_a_request_are_delivered_once_its_response_is_sent(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory
) -> None:
    admin = factory.user(Role.ADMIN, email="admin@example.org")
    org = factory.organisation()
    auth.login(admin.email)
    response = post_form(
        client,
        "/admin/utilisateurs/nouveau",
        {
            "name": "Jeanne Maire",
            "email": "jeanne@example.org",
            "roles": ["signatory"],
            "organisation_id": str(org.id),
            "preferred_language": "fr",
        },
    )
    assert response.status_code == 302
    assert [r.sent_at for r in rows(app)] == [None]  # queued with the account, not yet sent
    response.close()  # what the WSGI server does once the response is written
    [row] = rows(app)
    assert row.sent_at is not None and row.transport == "file" and row.recipient == "jeanne@example.org"


def test_admin_page_lists_messages_and_serves_the_eml(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory
) -> None:
    admin = factory.user(Role.ADMIN, email="admin@example.org")
    [first, second] = queue(app, 2)
    with app.app_context():
        deliver_due(ids=[first])
    auth.login(admin.email)
    page = text(client.get("/admin/courriels/"))
    assert "maire0@example.org" in page and "Message 1" in page
    assert "envoyé" in page and "en attente" in page
    download = client.get(f"/admin/courriels/{first}.eml")
    assert download.status_code == 200 and download.mimetype == "message/rfc822"
    assert b"Corps du message 0" in download.get_data()
    assert client.get(f"/admin/courriels/{second}.eml").status_code == 404  # not written yet


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SIGNATORY])
def test_admin_page_is_for_administrators_only(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory, role: Role
) -> None:
    person = factory.user(role, email="someone@example.org")
    [first] = queue(app, 1)
    with app.app_context():
        deliver_due()
    assert client.get("/admin/courriels/").status_code == 302  # to the login page
    auth.login(person.email)
    assert client.get("/admin/courriels/").status_code == 403
    assert client.get(f"/admin/courriels/{first}.eml").status_code == 403


@pytest.mark.postgres
def test_two_senders_never_claim_the_same_row(app: Flask) -> None:
    """PostgreSQL: a row locked by one sender's claim is skipped by another (FOR UPDATE SKIP LOCKED)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks: PostgreSQL only")
    ids = queue(app, 4)
    with app.app_context(), db.engine.connect() as other:
        transaction = other.begin()
        other.execute(
            sa.text("SELECT id FROM outbox_message WHERE id IN (:a, :b) FOR UPDATE"), {"a": ids[0], "b": ids[1]}
        )
        claimed = claim(10, utcnow())
        transaction.rollback()
    assert sorted(c.id for c in claimed) == ids[2:]
