"""RFC 9457 problem documents for the API, in French, with a stable `code` and the fields at fault."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from convsign.api.blueprint import bp
from convsign.errors import ConvsignError, ValidationFailed, error_code, http_headers, http_message

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, code: str, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    """A problem document with its status (and the headers its status requires)."""
    response = jsonify(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code, **extra}
    )
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    response.headers.update(headers or {})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="convsign"'
    return response


def field_errors(error: ValidationFailed) -> list[dict[str, str | None]]:
    """Every problem of the input, each with the field at fault (several for a deliberation)."""
    found = getattr(error, "problems", None) or [(error.field, error.message)]
    return [{"field": field, "message": str(message)} for field, message in found]


@bp.errorhandler(ConvsignError)
def convsign_problem(error: ConvsignError) -> Response:
    """A rule refused the call: its French message, its code, and the fields at fault."""
    if isinstance(error, ValidationFailed):
        return problem(error.status, type(error).__name__, error.message, error_code(error),
                       errors=field_errors(error))
    return problem(error.status, type(error).__name__, error.message, error_code(error))


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException) -> Response:
    """An HTTP error raised inside the API (too large a body, wrong method…)."""
    status = error.code or 500
    return problem(status, error.name, http_message(status), f"http_{status}", http_headers(error))
