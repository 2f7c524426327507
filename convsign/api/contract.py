"""What the OpenAPI description declares of a request body, enforced as it says.

A body whose schema is closed (`additionalProperties: false`) may carry only the properties the
schema names: one the description does not know is refused (422) rather than silently ignored, so
a client that misspells a field learns it at once.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask import request
from flask_babel import gettext as _

from convsign.api.openapi import document
from convsign.api.openapi_schemas import SCHEMAS
from convsign.errors import ValidationFailed


def closed_properties(schema: dict[str, Any]) -> frozenset[str] | None:
    """The properties a closed object schema allows; None when it allows any."""
    if schema.get("additionalProperties") is False:
        return frozenset(schema.get("properties", {}))
    return None


@cache
def body_properties(rule: str, method: str) -> frozenset[str] | None:
    """The properties the JSON body of the operation at `rule` may carry, per the description."""
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))
    operation = document()["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    return closed_properties(SCHEMAS[content["schema"]["$ref"].rsplit("/", 1)[1]])


def refuse_unknown(data: dict[str, Any], allowed: frozenset[str] | None, where: str = "") -> None:
    """Refuse a property the schema does not declare (the first one, by name)."""
    if allowed is None:
        return
    unknown = sorted(set(data) - allowed)
    if unknown:
        name = f"{where}.{unknown[0]}" if where else unknown[0]
        raise ValidationFailed(_("« %(name)s » : propriété inconnue.", name=name), name)


def check_declared(data: dict[str, Any]) -> None:
    """Refuse the properties of the current request's body that its schema does not declare."""
    rule = request.url_rule
    if rule is not None:
        refuse_unknown(data, body_properties(rule.rule, request.method))


def item_properties(schema: str, array: str) -> frozenset[str] | None:
    """The properties an item of `schema`'s array `array` may carry."""
    return closed_properties(SCHEMAS[schema]["properties"][array]["items"])
