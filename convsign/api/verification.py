"""Verification of any PDF, and the OpenAPI description, through the API."""

from __future__ import annotations

from flask import Response, jsonify

from convsign.api import inputs
from convsign.api.bearer import caller
from convsign.api.blueprint import bp
from convsign.api.openapi import document
from convsign.extensions import limiter
from convsign.verification import report
from convsign.verification import services as verification
from convsign.verification.limits import person_key, verify_limit


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
