"""The evidence file's download (thin over convsign.evidence.services)."""

from __future__ import annotations

from flask import Response
from flask_login import current_user, login_required

from convsign.conventions.access import visible_convention
from convsign.evidence import services
from convsign.evidence.blueprint import bp
from convsign.models.types import local_today, utcnow


@bp.get("/conventions/<int:convention_id>/preuve")
@login_required
def download(convention_id: int) -> Response:
    """The sealed evidence file of a convention, for whoever may see the convention."""
    convention = visible_convention(current_user, convention_id, local_today())
    pdf = services.evidence_pdf(convention, utcnow())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="convention-{convention.id}-dossier-de-preuve.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
