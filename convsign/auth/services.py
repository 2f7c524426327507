"""Account rules: authentication, passwords, invitation and reset links."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.auth.passwords import hash_password, needs_rehash, verify_password
from convsign.auth.tokens import Purpose, make_link_token
from convsign.extensions import db
from convsign.i18n import long_date
from convsign.links import external_link
from convsign.models import User
from convsign.models.types import utcnow
from convsign.models.user import new_security_stamp
from convsign.outbox.queue import queue_email


def find_user_by_email(email: str) -> User | None:
    """The account with this e-mail, whatever its case."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def keep_chosen_language(user: User, chosen: object, languages: Collection[str]) -> None:
    """A language chosen on the login page is what the person wants: keep it on their account.

    Every account has a language (French unless changed), so a choice made just before logging in
    is the freshest word on it; without one, the account's language stands.
    """
    if isinstance(chosen, str) and chosen in languages:
        user.preferred_language = chosen


def authenticate(email: str, password: str) -> User | None:
    """The active user these credentials belong to, or None (never says which part was wrong)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        record("login_failed", email=email.strip().lower()[:254])
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record("login", actor=user)
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password and invalidate every outstanding link."""
    user.password_hash = hash_password(password)
    user.security_stamp = new_security_stamp()
    user.end_sessions()
    record("password_set", actor=user)


def end_sessions(user: User, reason: str) -> None:
    """End every session of `user` (logout, "se déconnecter partout"), audited."""
    user.end_sessions()
    record("sessions_ended", actor=user, reason=reason)


def link_url(user: User, purpose: Purpose) -> str:
    """The absolute address of `user`'s invitation or reset link."""
    endpoint = "auth.accept_invitation" if purpose == "invitation" else "auth.reset_password"
    return external_link(endpoint, token=make_link_token(user, purpose))


def send_link(user: User, purpose: Purpose) -> str:
    """Queue `user`'s link by e-mail, in their language, in the current transaction; returns the link."""
    url = link_url(user, purpose)
    with force_locale(user.preferred_language):
        if purpose == "invitation":
            subject = _("Votre accès à convsign")
            body = _(
                "Bonjour %(name)s,\n\nUn compte a été ouvert pour vous sur convsign, l'outil de signature "
                "des conventions.\nChoisissez votre mot de passe en suivant ce lien, utilisable une seule fois, "
                "avant le %(until)s :\n\n%(url)s\n",
                name=user.name, until=long_date(utcnow() + timedelta(days=_days_valid())), url=url,
            )
        else:
            subject = _("Réinitialisation de votre mot de passe convsign")
            body = _(
                "Bonjour %(name)s,\n\nVous avez demandé à changer votre mot de passe. Suivez ce lien, "
                "utilisable une seule fois pendant %(hours)s h :\n\n%(url)s\n\n"
                "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.\n",
                name=user.name, hours=current_app.config["RESET_MAX_AGE_HOURS"], url=url,
            )
    queue_email(user.email, subject, body)
    return url


def _days_valid() -> int:
    return int(current_app.config["INVITATION_MAX_AGE_DAYS"])


def request_password_reset(email: str) -> User | None:
    """The user to send a reset link to, if the address belongs to an active account."""
    user = find_user_by_email(email)
    record("password_reset_requested", actor=user, email=email.strip().lower()[:254])
    return user if user is not None and user.active else None
