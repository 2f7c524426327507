"""Single-use links (invitation, password reset) signed with itsdangerous.

A link carries the user's id and security stamp; setting a password changes the stamp, so a
link works once, and every older link dies with it.
"""

from __future__ import annotations

from typing import Literal

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from convsign.errors import ConvsignError
from convsign.extensions import db
from convsign.models import User

Purpose = Literal["invitation", "reset"]


class InvalidLink(ConvsignError):
    """A link that is forged, expired or already used."""

    status = 400


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"convsign-{purpose}")


def make_link_token(user: User, purpose: Purpose) -> str:
    """A token for `user`'s link of this purpose."""
    return str(_serializer(purpose).dumps({"uid": user.id, "stamp": user.security_stamp}))


def max_age(purpose: Purpose) -> int:
    """Seconds a link of this purpose stays valid."""
    if purpose == "invitation":
        return int(current_app.config["INVITATION_MAX_AGE_DAYS"]) * 86400
    return int(current_app.config["RESET_MAX_AGE_HOURS"]) * 3600


def resolve_link_token(token: str, purpose: Purpose) -> User:
    """The user a valid, unused link belongs to; InvalidLink with a reason otherwise."""
    from flask_babel import gettext as _

    try:
        data = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except SignatureExpired as error:
        raise InvalidLink(_("Ce lien a expiré. Demandez-en un nouveau.")) from error
    except BadSignature as error:
        raise InvalidLink(_("Ce lien n'est pas valide. Vérifiez qu'il est complet.")) from error
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or user.security_stamp != data.get("stamp"):
        raise InvalidLink(_("Ce lien a déjà servi ou n'est plus valable. Demandez-en un nouveau."))
    return user
