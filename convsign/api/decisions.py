"""The coordinator's decisions through the API: reassign a refused slot, cancel, close, extend.

Thin over convsign.conventions.services and convsign.followup.services, one commit per call.
"""

from __future__ import annotations

from flask import Response

from convsign.api import inputs
from convsign.api.bearer import caller
from convsign.api.blueprint import bp
from convsign.api.conventions import convention_response, managed
from convsign.conventions.services import cancel_convention
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.followup import services
from convsign.models.types import local_today, utcnow


@bp.post("/conventions/<int:convention_id>/signatories/<int:slot_id>/reassignment")
def reassign(convention_id: int, slot_id: int) -> Response:
    """Give a refused slot to an office of the same organisation (`office_id`); it reopens."""
    convention = managed(convention_id)
    office_id = inputs.required_integer(inputs.json_body(), "office_id")
    services.reassign_slot(convention_id, slot_id, office_id, caller(), utcnow())
    db.session.commit()
    return convention_response(convention)


@bp.post("/conventions/<int:convention_id>/cancel")
def cancel(convention_id: int) -> Response:
    """Cancel a draft or a circulating convention, with a `reason` every party will read."""
    managed(convention_id)
    reason = inputs.text(inputs.json_body(), "reason", max_length=2000)
    convention = documents.lock_convention(convention_id)
    cancel_convention(convention, caller(), reason, utcnow())
    db.session.commit()
    return convention_response(convention)


@bp.post("/conventions/<int:convention_id>/close")
def close(convention_id: int) -> Response:
    """Close with the signatures obtained, after refusals (a `note` says why): the document is completed."""
    convention = managed(convention_id)
    note = inputs.text(inputs.json_body(), "note", max_length=2000)
    services.close_with_signatures(convention_id, caller(), note, utcnow())
    db.session.commit()
    return convention_response(convention)


@bp.post("/conventions/<int:convention_id>/deadline")
def extend(convention_id: int) -> Response:
    """Push the signing deadline back to `deadline`; an expired convention circulates again."""
    convention = managed(convention_id)
    deadline = inputs.required_day(inputs.json_body(), "deadline")
    services.extend_deadline(convention_id, deadline, caller(), local_today())
    db.session.commit()
    return convention_response(convention)
