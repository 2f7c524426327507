"""Helpers of the API tests: tokens made through the service, calls with a Bearer header,
answers checked against the OpenAPI document's schemas."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.api import tokens
from convsign.api.openapi import document
from convsign.extensions import db
from convsign.models import User


def token_for(app: Flask, email: str, days: int | None = None, name: str = "Essai") -> str:
    """A new personal access token of `email`'s account."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        created = tokens.create_token(user, name, days, datetime.now(UTC))
        db.session.commit()
        return created.secret


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


class Api:
    """Calls `/api/v1` with one token or another; every answer's status must be one the document lists."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, path: str, token: str, **kwargs: Any) -> Any:
        return self.documented("GET", path, self.client.get(f"/api/v1{path}", headers=bearer(token), **kwargs))

    def post(self, path: str, token: str, body: Any = None, **kwargs: Any) -> Any:
        if body is not None:
            kwargs["json"] = body
        return self.documented("POST", path, self.client.post(f"/api/v1{path}", headers=bearer(token), **kwargs))

    def pdf(self, path: str, token: str, pdf: bytes) -> Any:
        return self.documented(
            "POST",
            path,
            self.client.post(f"/api/v1{path}", headers=bearer(token), data=pdf, content_type="application/pdf"),
        )

    def documented(self, method: str, path: str, response: Any) -> Any:
        """Fail unless the OpenAPI document lists this answer's status for this operation."""
        rule, _args = self.client.application.url_map.bind("localhost").match(
            "/api/v1" + path.split("?", maxsplit=1)[0], method=method, return_rule=True
        )
        template = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", str(rule).removeprefix("/api/v1"))
        answers = document()["paths"][template][method.lower()]["responses"]
        assert str(response.status_code) in answers, (method, template, response.status_code)
        return response


@pytest.fixture
def api(client: FlaskClient) -> Api:
    """API caller bound to the test client."""
    return Api(client)


def conforms(schema: str, body: Any) -> None:
    """Fail unless `body` matches the OpenAPI document's schema `schema`."""
    spec = document()
    jsonschema.validate(
        body,
        {"$ref": f"#/components/schemas/{schema}", "components": spec["components"]},
        cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.FormatChecker(),
    )


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem document of an error answer, checked for its status, type and shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    conforms("Problem", body)
    return body
