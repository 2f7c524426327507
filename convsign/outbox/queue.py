"""Queue messages in the caller's transaction: the message exists exactly when its event commits.

Nothing is sent from inside that transaction; see convsign.outbox.delivery for how, and why a
message is neither lost nor (almost ever) sent twice.
"""

from __future__ import annotations

from email.utils import make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app

from convsign.audit import anchors
from convsign.extensions import db
from convsign.models import OutboxKind, OutboxMessage
from convsign.models.types import utcnow

QUEUED_KEY = "outbox_queued_ids"


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
    note_for_delivery([message])
    return message


def new_message_id() -> str:
    """A globally unique Message-ID in the sender's domain, fixed for every attempt."""
    domain = parseaddr(str(current_app.config["MAIL_FROM"]))[1].rpartition("@")[2] or "convsign.invalid"
    return make_msgid(domain=domain)


def note_for_delivery(messages: list[OutboxMessage]) -> None:
    """Remember flushed rows in the session, for `delivery.deliver_after_response` to send once committed.

    The session's `info`, not the request's `g`: queuing is the same from a page, the API or a
    command; only the web layer's after-request hook sends early (commands leave it to cron).
    """
    db.session.info.setdefault(QUEUED_KEY, []).extend(m.id for m in messages if m.id is not None)
