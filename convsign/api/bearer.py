"""Authentication of API calls: `Authorization: Bearer <token>`, and nothing else.

The session cookie is never looked at: a call without a valid token is answered 401 even when
the browser that sends it is logged in. That is also why the API needs no CSRF token: a browser
never adds an Authorization header to a request another site makes it send.
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_babel import gettext as _

from convsign.api import tokens
from convsign.api.blueprint import bp
from convsign.errors import ConvsignError
from convsign.extensions import csrf
from convsign.models import User
from convsign.models.types import utcnow

# Described by the OpenAPI document, which anyone may read.
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})

csrf.exempt(bp)


class Unauthorized(ConvsignError):
    """No token, or one that is unknown, revoked or expired."""

    status = 401


@bp.before_request
def require_token() -> None:
    """Identify the caller by their token; the rest of the request acts as that person."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    user = tokens.authenticate(secret.strip(), utcnow()) if scheme.lower() == "bearer" else None
    if user is None:
        raise Unauthorized(
            _(
                "Jeton d'accès absent, inconnu, révoqué ou expiré : envoyez l'en-tête "
                "« Authorization: Bearer <jeton> » avec un jeton valide."
            )
        )
    # Flask-Login's current user for this request is the token's owner, never the cookie's:
    # the language of the messages, and anything else that asks, follow the token.
    g._login_user = user
    g.api_user = user


def caller() -> User:
    """The person the current API call acts for."""
    user: Any = g.api_user
    assert isinstance(user, User)
    return user
