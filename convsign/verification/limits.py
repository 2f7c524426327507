"""The rate limit of verification (page and API): per person, so one account cannot tie up the
workers, and colleagues behind one address are not blocked by each other."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user


def verify_limit() -> str:
    """`VERIFY_RATE_LIMIT`, e.g. "10 per minute"."""
    return str(current_app.config["VERIFY_RATE_LIMIT"])


def person_key() -> str:
    """The signed-in person, else the API token's digest (the limit is checked before the API
    authenticates), else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    token = request.headers.get("Authorization", "")
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return f"address:{get_remote_address()}"
