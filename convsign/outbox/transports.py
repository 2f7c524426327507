"""How messages leave: SMTP when configured, else .eml files in the instance outbox folder."""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from convsign.filemodes import DIRECTORY_MODE, make_private
from convsign.models import OutboxKind, OutboxMessage

SMTP_TIMEOUT_SECONDS = 30


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


class ConnectionLost(Exception):
    """The transport cannot send anything now: every remaining message of the batch fails."""


class Transport(Protocol):
    """Sends one e-mail; raises ConnectionLost when nothing more can be sent."""

    name: str

    def send(self, message: EmailMessage, claimed: Claimed) -> None: ...

    def close(self) -> None: ...


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
            raise ConnectionLost(f"Serveur SMTP {self.host}:{self.port} injoignable : {describe(error)}") from error
        return smtp

    def send(self, message: EmailMessage, claimed: Claimed) -> None:
        """Send one message; a broken connection fails the rest of the batch."""
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, TimeoutError, ConnectionError) as error:
            self.smtp = None
            raise ConnectionLost(f"Connexion SMTP perdue : {describe(error)}") from error

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


def describe(error: BaseException) -> str:
    """An error as stored and shown: its type and message."""
    return f"{type(error).__name__}: {error}"
