"""The administrator's view of the outbox: every message, its status, and the .eml written."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, render_template

from convsign.errors import NotFound
from convsign.extensions import db
from convsign.models import OutboxMessage, Role
from convsign.outbox.blueprint import bp
from convsign.outbox.transports import written_file
from convsign.permissions import roles_required

PAGE_SIZE = 200


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """The newest messages with their delivery status; counts by status over the whole outbox."""
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)).all()
    files = {m.id for m in messages if written_file(m) is not None}
    return render_template("outbox/index.html", messages=messages, files=files, counts=_counts(), page_size=PAGE_SIZE)


def _counts() -> dict[str, int]:
    """How many messages are sent, waiting, or abandoned (never more than one query)."""
    status = sa.case(
        (OutboxMessage.sent_at.is_not(None), "sent"),
        (OutboxMessage.next_attempt_at.is_(None), "abandoned"),
        else_="pending",
    )
    rows = db.session.execute(sa.select(status, sa.func.count()).group_by(status)).all()
    return {str(name): int(count) for name, count in rows}


@bp.get("/<int:message_id>.eml")
@roles_required(Role.ADMIN)
def download(message_id: int) -> Response:
    """The message as it was written to the instance outbox folder."""
    message = db.session.get(OutboxMessage, message_id)
    path = written_file(message) if message is not None else None
    if path is None:
        raise NotFound()
    response = Response(path.read_bytes(), mimetype="message/rfc822")  # a few kilobytes
    response.headers["Content-Disposition"] = f'attachment; filename="courriel-{message_id}.eml"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
