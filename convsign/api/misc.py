"""Deliberations, verification and the OpenAPI document through the API."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from convsign.api import bp, inputs, outputs
from convsign.api.bearer import caller
from convsign.api.conventions import json_response, visible
from convsign.api.openapi import document
from convsign.deliberations import services as deliberations
from convsign.errors import NotFound
from convsign.extensions import db, limiter
from convsign.models.types import local_today
from convsign.verification import report
from convsign.verification import services as verification
from convsign.verification.limits import person_key, verify_limit


@bp.get("/conventions/<int:convention_id>/deliberations")
def list_deliberations(convention_id: int) -> Response:
    """Every party of the convention, whether it must deliberate, and its deliberation."""
    convention = visible(convention_id)
    return jsonify({"parties": [outputs.party(p, local_today()) for p in convention.parties]})


@bp.post("/conventions/<int:convention_id>/deliberations")
def record_deliberation(convention_id: int) -> Response:
    """Record (or correct) a party's deliberation (`party_id`), with every check of the page."""
    data = inputs.json_body()
    party = deliberations.party_for_editor(caller(), inputs.required_integer(data, "party_id"), local_today())
    if party.convention_id != convention_id:
        raise NotFound()
    deliberations.record_deliberation(party, deliberation_data(data), caller())
    db.session.commit()
    db.session.expire_all()
    return json_response(outputs.party(deliberations.get_party(party.id), local_today()), 201)


def deliberation_data(data: dict[str, Any]) -> deliberations.DeliberationData:
    """The deliberation's facts, shape-checked."""
    number = inputs.integer
    return deliberations.DeliberationData(
        session_date=inputs.required_day(data, "session_date"),
        convocation_date=inputs.day(data, "convocation_date", required=False),
        members_in_office=inputs.required_integer(data, "members_in_office"),
        members_present=inputs.required_integer(data, "members_present"),
        members_represented=number(data, "members_represented", required=False) or 0,
        secretary=inputs.text(data, "secretary", required=False, max_length=200),
        rapporteur=inputs.text(data, "rapporteur", required=False, max_length=200),
        subject=inputs.text(data, "subject"),
        unanimous=bool(inputs.boolean(data, "unanimous", False)),
        votes_for=number(data, "votes_for", required=False),
        votes_against=number(data, "votes_against", required=False),
        abstentions=number(data, "abstentions", required=False),
        number=inputs.text(data, "number", required=False, max_length=50),
        actes_identifier=inputs.text(data, "actes_identifier", required=False, max_length=64).strip() or None,
        sent_on=inputs.day(data, "sent_on", required=False),
        acknowledged_on=inputs.day(data, "acknowledged_on", required=False),
        published_on=inputs.day(data, "published_on", required=False),
        publication_mode=inputs.text(data, "publication_mode", required=False, max_length=100).strip() or None,
        executory_on=inputs.day(data, "executory_on", required=False),
    )


@bp.post("/verify")
@limiter.limit(verify_limit, key_func=person_key)
def verify() -> Response:
    """The verification report of the PDF sent, as `flask verify --json` prints it."""
    pdf = inputs.pdf_body()
    result = verification.verify(pdf)
    return jsonify(report.report_json(result, verification.placement(pdf, caller())))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API (readable without a token)."""
    return jsonify(document())
