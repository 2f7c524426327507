"""Queue messages in the caller's transaction; deliver them afterwards, with retries and backoff.

Delivery, and why a message is neither lost nor (almost ever) sent twice:

1. `queue_email` adds a row in the CURRENT transaction: the message exists exactly when the event
   that caused it commits. Nothing is sent from inside that transaction.
2. `deliver_due` claims due rows in a transaction of its own, committed before anything is sent
   (`claimed_at`, a random `claim_token`, `attempts` + 1; PostgreSQL: SELECT … FOR UPDATE SKIP
   LOCKED, so two senders never claim the same row; SQLite: writers are serialised). A claim older
   than CLAIM_TIMEOUT belongs to a sender that crashed: the row becomes due again.
3. Each message is sent, then marked sent (`sent_at`) in its own commit, immediately. A failure
   stores the error and the next attempt, after an exponential backoff; after
   OUTBOX_MAX_ATTEMPTS the message is abandoned (shown as such on the admin page).

The residual window: SMTP has no idempotency. A crash (or a lost database) between the server's
acceptance of a message and the commit of its `sent_at` makes the row due again after the claim
timeout, and the message is sent a second time. It keeps the Message-ID fixed at queuing, so a
mail client or server that eliminates duplicates by Message-ID shows it once. The .eml writer is
idempotent: the file's name derives from the Message-ID, and writing it again replaces it with
the same bytes. A sender never sends on a claim that may have expired: it stops and releases
what it has not sent once half the claim timeout has passed.

In the app, the messages queued by a request are delivered once its response has been sent
(`response.call_on_close`, after the view's commit): best effort, errors logged, never raised; what
fails is retried by `flask --app app outbox send`, run from cron.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask, Response, after_this_request, current_app, g, has_request_context

from convsign.audit import anchors
from convsign.extensions import db
from convsign.filemodes import DIRECTORY_MODE, make_private
from convsign.models import OutboxKind, OutboxMessage
from convsign.models.types import utcnow

CLAIM_TIMEOUT = timedelta(minutes=15)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
SMTP_TIMEOUT_SECONDS = 30


# Queuing ---------------------------------------------------------------------------------------


def queue_email(to: str, subject: str, body: str, dedup_key: str | None = None) -> OutboxMessage | None:
    """Add an e-mail to the outbox in the current transaction; None if `dedup_key` is already queued."""
    if (
        dedup_key is not None
        and db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)) is not None
    ):
        return None
    message = OutboxMessage(
        kind=OutboxKind.EMAIL,
        recipient=to,
        # One line: a title typed with a line break must not become a header of its own.
        subject=" ".join(subject.splitlines())[:300],
        body=body + anchors.email_line(anchors.current_head()),
        dedup_key=dedup_key,
        message_id=new_message_id(),
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    _deliver_after_response(message.id)
    return message


def new_message_id() -> str:
    """A globally unique Message-ID in the sender's domain, fixed for every attempt."""
    domain = parseaddr(str(current_app.config["MAIL_FROM"]))[1].rpartition("@")[2] or "convsign.invalid"
    return make_msgid(domain=domain)


def _deliver_after_response(message_id: int) -> None:
    """Remember the row; once the response is sent, deliver what this request queued."""
    if not has_request_context():
        return
    if "outbox_ids" not in g:
        g.outbox_ids = []
        after_this_request(_schedule_delivery)
    g.outbox_ids.append(message_id)


def _schedule_delivery(response: Response) -> Response:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    ids = list(g.outbox_ids)
    response.call_on_close(lambda: deliver_in_background(app, ids))
    return response


def deliver_in_background(app: Flask, ids: list[int]) -> None:
    """Deliver these rows now, in a context of their own; log failures, never raise (best effort)."""
    with app.app_context():
        try:
            deliver_due(limit=len(ids), ids=ids)
        except Exception:  # a failed delivery must not break the request that queued it
            app.logger.exception("Échec de l'envoi des messages %s ; ils seront réessayés.", ids)


# Delivery --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """What a sender needs of a claimed row, read while the claim was taken."""

    id: int
    token: str
    attempts: int
    recipient: str
    subject: str
    body: str
    message_id: str
    created_at: datetime
    kind: str = OutboxKind.EMAIL.value
    payload: dict[str, Any] | None = None


# Senders of the kinds that are not e-mail, by kind (webhooks: convsign.api.webhooks registers its own).
# A sender raises OSError (or ConnectionLost) when the message could not be delivered.
SENDERS: dict[str, Callable[[Claimed], None]] = {}


@dataclass(frozen=True)
class DeliveryReport:
    """What one `deliver_due` did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    abandoned: int = 0
    errors: tuple[str, ...] = ()


class ConnectionLost(Exception):
    """The transport cannot send anything now: every remaining message of the batch fails."""


class Transport(Protocol):
    """Sends one e-mail; raises ConnectionLost when nothing more can be sent."""

    name: str

    def send(self, message: EmailMessage, claimed: Claimed) -> None: ...

    def close(self) -> None: ...


def deliver_due(limit: int = 50, *, now: datetime | None = None, ids: list[int] | None = None) -> DeliveryReport:
    """Claim up to `limit` due messages (of `ids` only, if given), send them, record each outcome.

    It commits (its claims, then each outcome): call it after the caller's own commit.
    """
    now = now or utcnow()
    claimed = claim(limit, now, ids)
    if not claimed:
        return DeliveryReport()
    transport = make_transport()
    try:
        return _send_all(claimed, transport, now)
    finally:
        transport.close()


def claim(limit: int, now: datetime, ids: list[int] | None = None) -> list[Claimed]:
    """Take the due rows, in a transaction committed before anything is sent."""
    query = (
        sa.select(OutboxMessage)
        .where(*due_conditions(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    claimed = []
    for row in db.session.scalars(query).all():
        row.claimed_at, row.claim_token, row.attempts = now, secrets.token_hex(16), row.attempts + 1
        claimed.append(
            Claimed(
                row.id,
                row.claim_token,
                row.attempts,
                row.recipient,
                row.subject,
                row.body,
                row.message_id,
                row.created_at,
                row.kind.value,
                row.payload,
            )
        )
    db.session.commit()
    return claimed


def due_conditions(now: datetime) -> tuple[sa.ColumnElement[bool], ...]:
    """Unsent, due, and not claimed by a sender still alive."""
    return (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.next_attempt_at.is_not(None),
        OutboxMessage.next_attempt_at <= now,
        sa.or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
    )


def _send_all(claimed: list[Claimed], transport: Transport, now: datetime) -> DeliveryReport:
    started = time.monotonic()
    counts = {"sent": 0, "failed": 0, "abandoned": 0}
    errors: list[str] = []
    lost: str | None = None  # the e-mail transport is down: the batch's other e-mails fail without a try
    for index, message in enumerate(claimed):
        if time.monotonic() - started > CLAIM_TIMEOUT.total_seconds() / 2:
            release(claimed[index:])  # our claims may soon be taken by another sender: stop here
            break
        error = lost if lost is not None and message.kind not in SENDERS else _try_send(message, transport)
        if isinstance(error, ConnectionLost):
            lost = error = str(error)
        if error is None:
            mark_sent(message, message.kind if message.kind in SENDERS else transport.name, utcnow())
            counts["sent"] += 1
        else:
            counts[mark_failed(message, error, now)] += 1
            errors.append(error)
    return DeliveryReport(len(claimed), counts["sent"], counts["failed"], counts["abandoned"], tuple(errors))


def _try_send(message: Claimed, transport: Transport) -> str | ConnectionLost | None:
    """None when delivered; else why not (ConnectionLost: nothing more can go through the transport)."""
    try:
        send_one(message, transport)
    except ConnectionLost as error:
        return error
    except (smtplib.SMTPException, OSError) as error:  # this message only (refused recipient…)
        return _describe(error)
    return None


def send_one(message: Claimed, transport: Transport) -> None:
    """Deliver one message: by its kind's sender, or as an e-mail through the transport."""
    sender = SENDERS.get(message.kind)
    if sender is not None:
        sender(message)
    else:
        transport.send(build_email(message), message)


def build_email(claimed: Claimed) -> EmailMessage:
    """The message as sent: plain-text UTF-8, its Message-ID and date fixed at queuing."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = claimed.recipient
    message["Subject"] = claimed.subject
    message["Message-ID"] = claimed.message_id
    message["Date"] = format_datetime(claimed.created_at)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to notices
    message.set_content(claimed.body)
    return message


def mark_sent(claimed: Claimed, transport: str, now: datetime) -> None:
    """Record the server's acceptance at once, in its own commit (the crash window is this gap)."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == claimed.id, OutboxMessage.claim_token == claimed.token)
        .values(
            sent_at=now, transport=transport, next_attempt_at=None, claimed_at=None, claim_token=None, last_error=None
        )
    )
    db.session.commit()
    if _rowcount(result) == 0:
        current_app.logger.warning("Message %s envoyé alors que sa réservation avait expiré.", claimed.id)


def mark_failed(claimed: Claimed, error: str, now: datetime) -> str:
    """Record the failure and when to try again; 'abandoned' after the last allowed attempt."""
    abandoned = claimed.attempts >= int(current_app.config["OUTBOX_MAX_ATTEMPTS"])
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == claimed.id, OutboxMessage.claim_token == claimed.token)
        .values(
            last_error=error[:2000],
            claimed_at=None,
            claim_token=None,
            next_attempt_at=None if abandoned else now + backoff(claimed.attempts),
        )
    )
    db.session.commit()
    current_app.logger.warning("Message %s non remis (tentative %s) : %s", claimed.id, claimed.attempts, error)
    return "abandoned" if abandoned else "failed"


def release(claimed: list[Claimed]) -> None:
    """Give back claims not attempted: the rows are due again at once, their attempt not counted."""
    for message in claimed:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == message.token)
            .values(claimed_at=None, claim_token=None, attempts=OutboxMessage.attempts - 1)
        )
    db.session.commit()


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the 1st, 2nd, 3rd… failed attempt, at most 6 hours."""
    return min(BACKOFF_BASE * (1 << min(max(attempts - 1, 0), 16)), BACKOFF_CAP)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# Transports ------------------------------------------------------------------------------------


def make_transport() -> Transport:
    """SMTP when `SMTP_HOST` is configured, else .eml files in the instance outbox folder."""
    config = current_app.config
    if config.get("SMTP_HOST"):
        return SmtpTransport(
            str(config["SMTP_HOST"]),
            int(config["SMTP_PORT"]),
            bool(config.get("SMTP_STARTTLS")),
            config.get("SMTP_USER"),
            config.get("SMTP_PASSWORD"),
        )
    return FileTransport(outbox_dir())


class SmtpTransport:
    """One SMTP connection for a batch, opened at the first message."""

    name = "smtp"

    def __init__(self, host: str, port: int, starttls: bool, user: str | None, password: str | None) -> None:
        self.host, self.port, self.starttls, self.user, self.password = host, port, starttls, user, password
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
        except (smtplib.SMTPException, OSError) as error:
            raise ConnectionLost(f"Serveur SMTP {self.host}:{self.port} injoignable : {_describe(error)}") from error
        return smtp

    def send(self, message: EmailMessage, claimed: Claimed) -> None:
        """Send one message; a broken connection fails the rest of the batch."""
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, TimeoutError, ConnectionError) as error:
            self.smtp = None
            raise ConnectionLost(f"Connexion SMTP perdue : {_describe(error)}") from error

    def close(self) -> None:
        """Say goodbye to the server, if it is still listening."""
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


class FileTransport:
    """Writes each message as an .eml file; writing one again replaces it with the same bytes."""

    name = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage, claimed: Claimed) -> None:
        """Write the file atomically, under a name derived from the Message-ID."""
        self.directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        path = eml_path(self.directory, claimed.id, claimed.message_id)
        tmp = path.with_suffix(f".{claimed.token}.tmp")
        tmp.write_bytes(message.as_bytes())
        make_private(tmp)  # a reset link in it is a live credential
        tmp.replace(path)

    def close(self) -> None:
        """Nothing to close."""


def outbox_dir() -> Path:
    """Where messages are written when no SMTP server is configured."""
    return Path(current_app.instance_path) / "outbox"


def eml_path(directory: Path, row_id: int, message_id: str) -> Path:
    """The file of a message: its row, and a digest of its Message-ID (the idempotency key)."""
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
    return directory / f"{row_id:08d}-{digest}.eml"


def written_file(message: OutboxMessage) -> Path | None:
    """The .eml file of a message delivered to files, if it is still there."""
    if message.transport != FileTransport.name:
        return None
    path = eml_path(outbox_dir(), message.id, message.message_id)
    return path if path.is_file() else None
