"""Configuration: defaults here, then `instance/config.py`, then `CONVSIGN_*` environment variables.

Each layer overrides the one before. Environment values are parsed as JSON when they can be
(`CONVSIGN_MAX_UPLOAD_MB=20` is an int), as Flask's `from_prefixed_env` does.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from flask import Flask

ENV_PREFIX = "CONVSIGN"


class DefaultConfig:
    """Embedded defaults: SQLite, internal PKI and timestamp authority, mail to an outbox folder."""

    # None means: sqlite file `convsign.sqlite3` in the instance folder.
    DATABASE_URL: str | None = None
    # Seconds SQLite waits for a lock held by another writer before failing.
    SQLITE_BUSY_TIMEOUT = 30
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    RESET_RATE_LIMIT = "5 per minute"
    INVITATION_MAX_AGE_DAYS = 7
    RESET_MAX_AGE_HOURS = 2
    # Base of every link sent by e-mail or webhook (https://convsign.agglo.fr). Required in production;
    # in debug or tests it falls back to SERVER_NAME, never to a request header.
    EXTERNAL_URL: str | None = None
    # Host names the app answers to (Flask's TRUSTED_HOSTS); any other Host header gets 400. None: any.
    TRUSTED_HOSTS: list[str] | None = None
    # Allow webhooks to loopback, link-local and private addresses (tests, an intranet receiver).
    WEBHOOK_ALLOW_PRIVATE = False
    MAIL_FROM = "convsign <ne-pas-repondre@convsign.invalid>"
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    # Delivery attempts of an outbox message before it is abandoned (backoff 1 min, doubling, at most 6 h).
    OUTBOX_MAX_ATTEMPTS = 12
    # Days between reminders to a signatory whose turn has come (`flask --app app remind`).
    REMINDER_DAYS = 7
    MAX_UPLOAD_MB = 50
    MAX_PDF_PAGES = 500
    # Trust X-Forwarded-* headers from this many proxies (gunicorn behind nginx: 1).
    PROXY_COUNT = 0
    # Force the Secure flag on cookies even on plain HTTP requests (behind a TLS proxy).
    FORCE_SECURE_COOKIES = False
    # The internal PKI: the organisation named in its certificates, and the TSA key size.
    PKI_ORGANISATION = "Intercommunalité (convsign)"
    # None: instance/pki. The CA keys there are encrypted under the instance secret.
    PKI_DIRECTORY: str | None = None
    PKI_TSA_KEY_SIZE = 3072
    # An external RFC 3161 timestamp authority (a qualified one in production); None: the internal one.
    TSA_URL: str | None = None
    # A PEM bundle of further trust anchors for verification (e.g. an RGS/eIDAS CA's root); None: none.
    EXTRA_TRUST_ROOTS: str | None = None
    # Where documents (and, when set, the audit witness) are kept: file://PATH or s3://BUCKET[/PREFIX].
    # None: file:// the instance folder. Several app nodes share one S3 bucket (README, Production).
    STORAGE_URL: str | None = None
    # The S3 service of an s3:// store (None: boto3's own configuration, e.g. AWS_* variables).
    S3_ENDPOINT_URL: str | None = None
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_REGION: str | None = None
    # The audit trail's witness file, outside the database; None: instance/audit-witness.log, or
    # write-once objects in the store when STORAGE_URL is set.
    AUDIT_WITNESS_PATH: str | None = None
    # Argon2id cost of signing passphrases (memory in KiB, passes): deliberately slow.
    PASSPHRASE_KDF_MEMORY_KIB = 65536
    PASSPHRASE_KDF_PASSES = 3
    # Wrong signing passphrases before the key is locked, and for how long.
    PASSPHRASE_MAX_ATTEMPTS = 5
    PASSPHRASE_LOCKOUT_MINUTES = 15
    # Signature attempts (passphrase or certificate password) per person and address, before 429.
    SIGNING_RATE_LIMIT = "10 per minute"
    # Verifications (page and API) per person, before 429; and the work one verification may cost:
    # decompressed bytes while inspecting the file (MiB) and seconds of inspection.
    VERIFY_RATE_LIMIT = "10 per minute"
    VERIFY_MAX_DECODED_MB = 128
    VERIFY_MAX_SECONDS = 20.0
    # The loopback port of the local signing agent (convsign-agent serve) the signing page looks for.
    AGENT_PORT = 8731
    # Tests only: kill the worker at a named step of a signature (convsign.faults).
    FAULT_INJECTION: str | None = None
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Apply the configuration layers to `app`, in order, then derive the dependent settings."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    # CONVSIGN_SECRET_KEY (shared by every node) may look like a JSON number: it is a string.
    app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_UPLOAD_MB"]) + 1) * 1024 * 1024
    app.config["EXTERNAL_URL"] = external_url(app)
    hosts = app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()]


class MissingExternalUrl(RuntimeError):
    """Production without CONVSIGN_EXTERNAL_URL: links would have no trustworthy address."""


def external_url(app: Flask) -> str:
    """The base of the links the app sends, without a trailing slash.

    Never taken from a request: a forged Host or X-Forwarded-Host header would otherwise send a
    password-reset link to an attacker's server. Production (neither debug nor testing) must set it.
    """
    configured = app.config.get("EXTERNAL_URL")
    if configured:
        return str(configured).rstrip("/")
    if not (app.debug or app.testing):
        raise MissingExternalUrl(
            "CONVSIGN_EXTERNAL_URL manquant : indiquez l'adresse publique du service "
            "(par exemple https://convsign.agglo.fr) ; les liens envoyés par courriel en dépendent."
        )
    scheme = app.config.get("PREFERRED_URL_SCHEME") or "http"
    return f"{scheme}://{app.config.get('SERVER_NAME') or '127.0.0.1:5000'}"


def database_url(app: Flask) -> str:
    """The configured database, or the SQLite file of the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return str(url)
    return "sqlite:///" + os.path.join(app.instance_path, "convsign.sqlite3")


def instance_secret(instance_path: Path) -> str:
    """Read the instance secret, creating it (mode 0600) on first start; it is never committed.

    Written to a temporary file then hard-linked into place, so that two processes starting at
    once agree on one secret and neither reads a half-written file.
    """
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
