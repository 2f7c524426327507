"""Sending e-mail: over SMTP when `CONVSIGN_SMTP_HOST` is set, else as .eml files in instance/outbox."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from the configured sender."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="convsign.invalid")
    message.set_content(body)
    return message


def send(to: str, subject: str, body: str) -> None:
    """Deliver one message now, by SMTP or into the outbox folder."""
    message = build_message(to, subject, body)
    if current_app.config.get("SMTP_HOST"):
        _send_smtp(message)
    else:
        _write_eml(message, outbox_dir())


def outbox_dir() -> Path:
    """Where messages are written when no SMTP server is configured."""
    return Path(current_app.instance_path) / "outbox"


def _write_eml(message: EmailMessage, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(message.as_bytes())
    tmp.replace(path)
    return path


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=30) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)
