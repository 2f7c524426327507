"""Downloads of a convention's document: the latest revision, any earlier one, inline or attached."""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user, login_required

from convsign.conventions.access import visible_convention
from convsign.conventions.blueprint import bp
from convsign.documents import services
from convsign.models.types import local_today


def _pdf_response(convention_id: int, inline: bool) -> Response:
    convention = visible_convention(current_user, convention_id, local_today())
    number = request.args.get("revision", type=int)
    revision = services.revision(convention, number)
    name = f"convention-{convention.id}-revision-{revision.number}.pdf"
    response = Response(services.content(revision), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response.headers["X-Content-SHA256"] = revision.sha256
    response.headers["Cache-Control"] = "private, no-store"
    if inline:  # the browser's own PDF viewer, framed by our page only
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/<int:convention_id>/document")
@login_required
def download_document(convention_id: int) -> Response:
    """The latest revision, or `?revision=N` ("ce qu'a signé le maire de …"), as an attachment."""
    return _pdf_response(convention_id, inline=False)


@bp.get("/<int:convention_id>/document/apercu")
@login_required
def view_document(convention_id: int) -> Response:
    """The same, shown inline in the browser."""
    return _pdf_response(convention_id, inline=True)
