"""The OpenAPI document is valid OpenAPI 3.1 and true to the app: every route and method, nothing more."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from convsign.api.openapi import document

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")  # readable without a token
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def app_routes(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every rule under /api/v1."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, method.lower()) for method in (rule.methods or set()) - IGNORED_METHODS}
    return routes


def test_every_route_is_described_and_nothing_else(app: Flask) -> None:
    described = {(path, method) for path, item in document()["paths"].items() for method in item}
    assert app_routes(app) == described


def test_every_operation_declares_its_path_parameters_and_the_401(app: Flask) -> None:
    spec = document()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{([a-z_]+)}", path)), (path, method)
            public = operation.get("security") == []
            assert ("401" in operation["responses"]) != public, (path, method)
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
