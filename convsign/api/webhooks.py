"""Webhook endpoints of organisations, and the signature of what is sent to them.

Every delivery is a POST of a JSON body with the header
`X-Convsign-Signature: t=<unix time of the attempt>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed by
the endpoint's secret. A receiver recomputes the HMAC, compares it in constant time, and refuses
a timestamp more than five minutes from its clock, so a captured delivery cannot be replayed
later. `X-Convsign-Delivery` is the same on every attempt of one delivery: a receiver that has
seen it already answers 2xx and ignores it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from convsign.api import targets
from convsign.audit.services import record
from convsign.errors import NotFound, ValidationFailed
from convsign.extensions import db
from convsign.models import OutboxKind, OutboxMessage, User, WebhookEndpoint
from convsign.models.organisation import Organisation

SIGNATURE_HEADER = "X-Convsign-Signature"
EVENT_HEADER = "X-Convsign-Event"
DELIVERY_HEADER = "X-Convsign-Delivery"
REPLAY_TOLERANCE_SECONDS = 300
MIN_SECRET_LENGTH = 16
DEDUP_PREFIX = "webhook"


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header of one attempt."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_valid(secret: str, header: str, body: bytes, now: int, tolerance: int = REPLAY_TOLERANCE_SECONDS) -> bool:
    """What a receiver checks: the HMAC, in constant time, and a timestamp close to its clock."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    expected = signature_header(secret, timestamp, body).rpartition("v1=")[2]
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, parts.get("v1", ""))


@dataclass(frozen=True)
class EndpointData:
    """What the administrator registers: whose, where, and the secret (generated when left blank)."""

    organisation_id: int
    url: str
    secret: str


def _check(data: EndpointData) -> None:
    if db.session.get(Organisation, data.organisation_id) is None:
        raise ValidationFailed(_("Choisissez une organisation."), "organisation_id")
    parts = urlsplit(data.url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(_("L'adresse doit commencer par https:// (ou http:// sur un réseau interne)."), "url")
    if targets.refused_as_written(parts.hostname) and not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        raise ValidationFailed(
            _("Adresse interne refusée (boucle locale, lien local ou réseau privé) : indiquez une adresse publique, "
              "ou autorisez-les par CONVSIGN_WEBHOOK_ALLOW_PRIVATE."),
            "url",
        )
    if data.secret and len(data.secret) < MIN_SECRET_LENGTH:
        raise ValidationFailed(
            _(
                "Le secret doit compter au moins %(n)s caractères ; laissez-le vide pour qu'il soit tiré au hasard.",
                n=MIN_SECRET_LENGTH,
            ),
            "secret",
        )


def create_endpoint(data: EndpointData, actor: User) -> WebhookEndpoint:
    """Register an organisation's endpoint; its secret is drawn at random unless given."""
    _check(data)
    endpoint = WebhookEndpoint(
        organisation_id=data.organisation_id, url=data.url.strip(), secret=data.secret or secrets.token_urlsafe(32)
    )
    db.session.add(endpoint)
    db.session.flush()
    record(
        "webhook_endpoint_created",
        actor=actor,
        endpoint=endpoint.id,
        organisation=data.organisation_id,
        url=endpoint.url,
    )
    return endpoint


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    """The endpoint, or NotFound."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound()
    return endpoint


def set_active(endpoint: WebhookEndpoint, active: bool, actor: User) -> None:
    """Switch an endpoint on or off; switching it off abandons its pending deliveries."""
    endpoint.active = active
    if not active:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.kind == OutboxKind.WEBHOOK,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.dedup_key.like(f"{DEDUP_PREFIX}:{endpoint.id}:%"),
            )
            .values(next_attempt_at=None, last_error="Point de réception désactivé")
        )
    record(
        "webhook_endpoint_enabled" if active else "webhook_endpoint_disabled",
        actor=actor,
        endpoint=endpoint.id,
        organisation=endpoint.organisation_id,
    )


def endpoints() -> list[WebhookEndpoint]:
    """Every endpoint, by organisation."""
    return list(
        db.session.scalars(
            sa.select(WebhookEndpoint).join(Organisation).order_by(Organisation.name, WebhookEndpoint.id)
        )
    )


def deliveries(endpoint: WebhookEndpoint, limit: int = 20) -> list[OutboxMessage]:
    """The endpoint's newest deliveries, with their outcome (sent, pending, abandoned; attempts, error)."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.kind == OutboxKind.WEBHOOK,
                OutboxMessage.dedup_key.like(f"{DEDUP_PREFIX}:{endpoint.id}:%"),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def dedup_key(endpoint_id: int, event_key: str) -> str:
    """One delivery per endpoint and event, whatever happens."""
    return f"{DEDUP_PREFIX}:{endpoint_id}:{event_key}"
