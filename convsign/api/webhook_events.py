"""Webhook events: queued in the outbox by the transaction of the action, sent afterwards.

`queue_event` subscribes to four of the services' events (convsign.events: a signature created,
a slot refused, a convention completed or cancelled; connected in convsign.web): whichever way an
action is taken (page, API, command), the service sends its event in its transaction, and the
event's outbox rows, one per active endpoint of the convention's parties, are written there too.
The outbox sends them like e-mails (claim, send, record the outcome; retries with backoff)
through `send_webhook`, registered as the outbox's sender of webhooks.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

import sqlalchemy as sa
from flask import current_app

from convsign.api import targets, webhooks
from convsign.audit import anchors
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, OutboxKind, OutboxMessage, Signatory, WebhookEndpoint
from convsign.models.types import utcnow
from convsign.outbox import queue
from convsign.outbox.transports import Claimed

EVENTS = {
    "signature_created": "signature.created",
    "signature_refused": "signatory.refused",
    "convention_completed": "convention.completed",
    "convention_cancelled": "convention.cancelled",
}
TIMEOUT_SECONDS = 10
USER_AGENT = "convsign-webhooks/1"


def event_body(event: str, entry: AuditEntry, convention: Convention, slot: Signatory | None) -> dict[str, Any]:
    """What the receiver gets: the event, when, the convention, and the slot concerned if any."""
    return {
        "event": event,
        "occurred_at": entry.at.isoformat(),
        "convention": {
            "id": convention.id,
            "title": convention.title,
            "reference": convention.reference,
            "status": convention.status.value,
            "revision_count": convention.revision_count,
            "document_sha256": convention.latest_sha256,
        },
        "signatory": None
        if slot is None
        else {
            "id": slot.id,
            "office": slot.office.title,
            "organisation": slot.office.organisation.name,
            "stage": slot.stage,
            "state": slot.state.value,
            "signed_at": slot.signed_at.isoformat() if slot.signed_at else None,
            "reason": slot.refusal_reason,
        },
    }


def queue_event(convention: Convention, *, entry: AuditEntry, slot: Signatory | None = None,
                **_more: Any) -> list[OutboxMessage]:
    """Subscriber: one outbox row per active endpoint of the convention's parties."""
    targets = db.session.scalars(
        sa.select(WebhookEndpoint)
        .where(
            WebhookEndpoint.active, WebhookEndpoint.organisation_id.in_([p.organisation_id for p in convention.parties])
        )
        .order_by(WebhookEndpoint.id)
    ).all()
    if not targets:
        return []
    event = EVENTS[entry.action]
    content = event_body(event, entry, convention, slot)
    head = anchors.current_head()  # the chain's head: this event's own entry, just recorded
    content["audit_head"] = None if head is None else {"entry": head.entry_id, "hash": head.entry_hash}
    body = json.dumps(content, ensure_ascii=False, sort_keys=True)
    rows = [
        OutboxMessage(
            kind=OutboxKind.WEBHOOK,
            recipient=endpoint.url,
            subject=event,
            body=body,
            payload={"endpoint_id": endpoint.id, "event": event},
            message_id=str(uuid.uuid4()),
            dedup_key=webhooks.dedup_key(endpoint.id, entry.entry_hash),
            next_attempt_at=utcnow(),
        )
        for endpoint in targets
    ]
    db.session.add_all(rows)
    db.session.flush()
    queue.note_for_delivery(rows)
    return rows


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: the body is never re-sent to an address nobody registered."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None




def send_webhook(message: Claimed) -> None:
    """POST the body, signed for this attempt; any answer but 2xx (or no answer) raises OSError."""
    endpoint = db.session.get(WebhookEndpoint, int((message.payload or {}).get("endpoint_id", 0)))
    if endpoint is None or not endpoint.active:
        raise OSError("Point de réception désactivé ou supprimé")
    body = message.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        webhooks.EVENT_HEADER: message.subject,
        webhooks.DELIVERY_HEADER: message.message_id,
        webhooks.SIGNATURE_HEADER: webhooks.signature_header(endpoint.secret, int(time.time()), body),
    }
    request = urllib.request.Request(message.recipient, data=body, method="POST", headers=headers)  # noqa: S310
    # Only http(s) addresses are registered (convsign.api.webhooks); urllib raises HTTPError
    # (an OSError) for every 4xx/5xx answer.
    # The resolved address is checked, and connected to, at each attempt (convsign.api.targets).
    opener = targets.opener(bool(current_app.config["WEBHOOK_ALLOW_PRIVATE"]), _NoRedirect)
    with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        response.read(4096)

