"""Personal access tokens: created (shown once), listed, revoked, and checked on every API call.

A token reads `cvs_` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256 is
kept (see convsign.models.api.ApiToken for why a fast digest is right here).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.errors import NotFound, ValidationFailed
from convsign.extensions import db
from convsign.models import ApiToken, User

TOKEN_PREFIX = "cvs_"  # noqa: S105 - not a secret: what every token starts with
SHOWN_PREFIX_LENGTH = 10
MAX_NAME_LENGTH = 100
MAX_DAYS = 3650
# Writing `last_used_at` on every call would make every read a write: once in a while suffices.
LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class NewToken:
    """A token just created: its row, and the secret, which is never shown again."""

    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, days: int | None, now: datetime, actor: User | None = None) -> NewToken:
    """A new token for `user`, valid `days` days (None: until revoked)."""
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Donnez un nom au jeton, pour le reconnaître."), "name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(_("Le nom du jeton ne doit pas dépasser %(n)s caractères.", n=MAX_NAME_LENGTH), "name")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(_("La durée de validité va de 1 à %(n)s jours.", n=MAX_DAYS), "days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    record(
        "api_token_created",
        actor=actor or user,
        token_id=token.id,
        owner=user.id,
        name=name,
        expires_at=token.expires_at,
    )
    return NewToken(token, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, newest first (revoked ones included, marked as such)."""
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def own_token(user: User, token_id: int) -> ApiToken:
    """One of the person's tokens, or NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    return token


def revoke_token(token: ApiToken, actor: User, now: datetime) -> None:
    """Revoke the token at once; revoking twice changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    record("api_token_revoked", actor=actor, token_id=token.id, owner=token.user_id, name=token.name)


def authenticate(secret: str, now: datetime) -> User | None:
    """The active owner of a usable token, or None (unknown, revoked, expired, or owner deactivated)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not token.usable(now) or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()  # alone in its transaction: nothing else has happened yet in this request
    return token.user
