"""Webhook events: queued in the outbox by the transaction that records them, sent afterwards.

The four events follow the audit entries the services already write (`signature_created`,
`signature_refused`, `convention_completed`, `convention_cancelled`): whichever way an action is
taken (page, API, command), its entry is written in its transaction, and so is the event's
outbox row, one per active endpoint of the convention's parties. The outbox sends them like
e-mails (claim, send, record the outcome; retries with backoff) through `send_webhook`.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, after_this_request, current_app, g, has_request_context
from sqlalchemy.orm import Session

from convsign.api import targets, webhooks
from convsign.audit import anchors
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, OutboxKind, OutboxMessage, Signatory, WebhookEndpoint
from convsign.models.types import utcnow
from convsign.outbox import services as outbox

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


def queue_event(session: Session, entry: AuditEntry) -> list[OutboxMessage]:
    """One outbox row per active endpoint of the convention's parties."""
    convention = session.get(Convention, entry.convention_id)
    if convention is None:
        return []
    targets = session.scalars(
        sa.select(WebhookEndpoint)
        .where(
            WebhookEndpoint.active, WebhookEndpoint.organisation_id.in_([p.organisation_id for p in convention.parties])
        )
        .order_by(WebhookEndpoint.id)
    ).all()
    if not targets:
        return []
    event = EVENTS[entry.action]
    slot = session.get(Signatory, entry.slot_id) if entry.slot_id else None
    content = event_body(event, entry, convention, slot)
    head = anchors.current_head()  # the chain's head just before this event's entry
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
    session.add_all(rows)
    return rows


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Queue the events of the audit entries about to be written."""
    entries = [o for o in session.new if isinstance(o, AuditEntry) and o.action in EVENTS and o.convention_id]
    with session.no_autoflush:
        for entry in entries:
            session.info.setdefault("webhook_rows", []).extend(queue_event(session, entry))


def _after_flush(session: Session, _context: Any) -> None:
    """Once the rows have their ids, have them delivered after the response, as e-mails are."""
    rows = session.info.pop("webhook_rows", [])
    if rows and has_request_context():
        if "webhook_ids" not in g:
            g.webhook_ids = []
            after_this_request(_deliver_after_response)
        g.webhook_ids.extend(row.id for row in rows if row.id is not None)


def _deliver_after_response(response: Response) -> Response:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    ids = list(g.webhook_ids)
    response.call_on_close(lambda: outbox.deliver_in_background(app, ids))
    return response


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: the body is never re-sent to an address nobody registered."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None




def send_webhook(message: outbox.Claimed) -> None:
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


def register() -> None:
    """Hook the events into every session of the app's database, and the sender into the outbox (once)."""
    if not sa.event.contains(db.session, "before_flush", _before_flush):
        sa.event.listen(db.session, "before_flush", _before_flush)
        sa.event.listen(db.session, "after_flush", _after_flush)
    outbox.SENDERS[OutboxKind.WEBHOOK.value] = send_webhook


register()
