"""Reading JSON bodies: each value checked for its shape, each error a French message on its field.

Shape only: the rules (dates in order, parties and their signatories…) stay in the services.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import request
from flask_babel import gettext as _

from convsign.api import contract
from convsign.errors import ValidationFailed
from convsign.routing import MAX_ID

POSITIVE = re.compile(r"[1-9][0-9]{0,9}")


class UnsupportedBody(ValidationFailed):
    """The body is not what the endpoint reads (JSON object, or a PDF)."""

    status = 415


class BadQuery(ValidationFailed):
    """A query parameter given twice, or not of its type."""

    status = 400


def query_integer(name: str) -> int | None:
    """The query parameter `name`, a positive integer given at most once (None when absent)."""
    values = request.args.getlist(name)
    if not values:
        return None
    if len(values) > 1 or not POSITIVE.fullmatch(values[0]) or int(values[0]) > MAX_ID:
        raise BadQuery(_("« %(name)s » : un seul nombre entier positif attendu.", name=name), name)
    return int(values[0])


def json_body() -> dict[str, Any]:
    """The request's JSON object."""
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        raise UnsupportedBody(_("Envoyez un objet JSON (Content-Type: application/json)."))
    contract.check_declared(data)
    return data


def pdf_body() -> bytes:
    """The request's body, sent as application/pdf."""
    if request.mimetype != "application/pdf":
        raise UnsupportedBody(_("Envoyez le PDF lui-même comme corps de la requête (Content-Type: application/pdf)."))
    return request.get_data(cache=False)


def text(data: dict[str, Any], name: str, *, required: bool = True, max_length: int = 2000) -> str:
    """A string field (empty when absent and optional)."""
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationFailed(_("« %(name)s » : texte attendu.", name=name), name)
    if len(value) > max_length:
        raise ValidationFailed(_("« %(name)s » : %(n)s caractères au plus.", name=name, n=max_length), name)
    return value


def integer(data: dict[str, Any], name: str, *, required: bool = True, minimum: int = 0) -> int | None:
    """An integer field, from `minimum` to what an INTEGER column holds (ids and counts alike)."""
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(_("« %(name)s » : nombre entier attendu.", name=name), name)
    if not minimum <= value <= MAX_ID:
        raise ValidationFailed(
            _("« %(name)s » : nombre entier de %(min)s à %(max)s attendu.", name=name, min=minimum, max=MAX_ID), name
        )
    return value


def required_integer(data: dict[str, Any], name: str) -> int:
    """An integer field that must be present."""
    value = integer(data, name)
    assert value is not None
    return value


def boolean(data: dict[str, Any], name: str, default: bool | None = None) -> bool | None:
    """A true/false field."""
    value = data.get(name, default)
    if value is not None and not isinstance(value, bool):
        raise ValidationFailed(_("« %(name)s » : true ou false attendu.", name=name), name)
    return value


def day(data: dict[str, Any], name: str, *, required: bool = True) -> date | None:
    """A date field, in ISO 8601 (2027-01-01)."""
    value = data.get(name)
    if value is None and not required:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def required_day(data: dict[str, Any], name: str) -> date:
    """A date field that must be present."""
    value = day(data, name)
    assert value is not None
    return value


def _bad_date(name: str) -> date:
    raise ValidationFailed(_("« %(name)s » : date attendue au format AAAA-MM-JJ.", name=name), name)


def items(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """A list of objects."""
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationFailed(_("« %(name)s » : liste d'objets attendue.", name=name), name)
    return value
