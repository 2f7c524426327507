"""Conventions through the API: list, create a draft, upload its text, open it, read it, download.

Thin over convsign.conventions, .documents and .evidence: the same services, rules and audit
entries as the pages; one commit per call.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from convsign.api import drafts, inputs, outputs
from convsign.api.bearer import caller
from convsign.api.blueprint import bp
from convsign.conventions import access, services
from convsign.deliberations import services as deliberations
from convsign.documents import services as documents
from convsign.errors import Forbidden
from convsign.evidence.services import evidence_pdf
from convsign.extensions import db
from convsign.models import Convention, Role
from convsign.models.types import local_today, utcnow

MANAGERS = (Role.ADMIN, Role.COORDINATOR)


def managed(convention_id: int) -> Convention:
    """The convention, if the caller manages it (403 without the role, 404 for another's)."""
    user = caller()
    if not any(user.has_role(role) for role in MANAGERS):
        raise Forbidden()
    return access.managed_convention(user, convention_id)


def visible(convention_id: int) -> Convention:
    """The convention, if the caller may see it (404 otherwise)."""
    return access.visible_convention(caller(), convention_id, local_today())


def convention_response(convention: Convention, status: int = 200) -> Response:
    """The convention as JSON, read afresh after the commit."""
    db.session.expire_all()
    response = jsonify(outputs.detail(convention, local_today()))
    response.status_code = status
    return response


@bp.get("/conventions")
def list_conventions() -> Response:
    """The conventions the caller may see, newest first."""
    query = access.visible_conventions(caller(), local_today()).order_by(
        Convention.created_at.desc(), Convention.id.desc()
    )
    return jsonify({"conventions": [outputs.summary(c) for c in db.session.scalars(query)]})


@bp.post("/conventions")
def create_convention() -> Response:
    """A new draft from JSON (coordinators, administrators)."""
    user = caller()
    if not any(user.has_role(role) for role in MANAGERS):
        raise Forbidden()
    data, choices = drafts.convention_data(inputs.json_body(), user, local_today())
    convention = services.save_draft(data, user)
    _apply_deliberation_choices(convention, choices)
    db.session.commit()
    response = convention_response(convention, 201)
    response.headers["Location"] = url_for("api.get_convention", convention_id=convention.id)
    return response


def _apply_deliberation_choices(convention: Convention, choices: list[drafts.PartyChoice]) -> None:
    """Waive or require each party's deliberation as asked, through the deliberation services."""
    rows = {p.organisation_id: p for p in convention.parties}
    for choice in choices:
        row = rows[choice.organisation_id]
        if choice.deliberation_required is False and row.deliberation_required:
            deliberations.waive(row, choice.waiver_reason, caller())
        elif choice.deliberation_required and not row.deliberation_required:
            deliberations.require(row, caller())


@bp.get("/conventions/<int:convention_id>")
def get_convention(convention_id: int) -> Response:
    """The convention, its parties and signatories, and the latest revision's SHA-256."""
    return convention_response(visible(convention_id))


@bp.post("/conventions/<int:convention_id>/document")
def upload_document(convention_id: int) -> Response:
    """Use the PDF sent as the draft's text instead of the generated one."""
    convention = managed(convention_id)
    services.attach_uploaded_text(convention, inputs.pdf_body(), caller())
    db.session.commit()
    return convention_response(convention)


@bp.post("/conventions/<int:convention_id>/open")
def open_convention(convention_id: int) -> Response:
    """Freeze the text (generate, add the fields, certify) and open the first stage."""
    managed(convention_id)
    convention = documents.lock_convention(convention_id)  # two calls must not open it twice
    services.open_convention(convention, caller(), utcnow())
    db.session.commit()
    return convention_response(convention)


def pdf_response(content: bytes, filename: str, sha256: str | None = None) -> Response:
    """A PDF download."""
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    if sha256:
        response.headers["X-Content-SHA256"] = sha256
    return response


@bp.get("/conventions/<int:convention_id>/document")
def download_document(convention_id: int) -> Response:
    """The latest revision, or `?revision=N`."""
    convention = visible(convention_id)
    revision = documents.revision(convention, inputs.query_integer("revision"))
    return pdf_response(
        documents.content(revision), f"convention-{convention.id}-revision-{revision.number}.pdf", revision.sha256
    )


@bp.get("/conventions/<int:convention_id>/evidence")
def download_evidence(convention_id: int) -> Response:
    """The sealed evidence file of the convention."""
    convention = visible(convention_id)
    return pdf_response(evidence_pdf(convention, utcnow()), f"convention-{convention.id}-dossier-de-preuve.pdf")


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    """A JSON object with its status."""
    response = jsonify(body)
    response.status_code = status
    return response
