"""Absolute links for e-mails and webhooks, always on CONVSIGN_EXTERNAL_URL.

Never built from the request: its Host and X-Forwarded-Host headers are chosen by the client, and
a password-reset link built from them would carry the token to the attacker's server.
"""

from __future__ import annotations

from typing import Any

from flask import current_app


def external_link(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` on the configured external URL (set by the config layer)."""
    path = current_app.url_map.bind("convsign.invalid").build(endpoint, values)
    return str(current_app.config["EXTERNAL_URL"]).rstrip("/") + path
