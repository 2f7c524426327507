"""People who use convsign, and their roles."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.organisation import Organisation
from convsign.models.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a person may do: administer, coordinate conventions, sign."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    SIGNATORY = "signatory"


def new_security_stamp() -> str:
    """A random value that invalidates every outstanding link when it changes."""
    return secrets.token_urlsafe(16)


class User(UserMixin, Base):
    """A person with an account. Never deleted once they have acted: deactivated instead."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Stored lower-cased: unique without regard to case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    preferred_language: Mapped[str] = mapped_column(sa.String(5), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    # Changes on password change and on use of a link, so each link works once.
    security_stamp: Mapped[str] = mapped_column(sa.String(40), default=new_security_stamp)
    # Part of the id kept in the session cookie: raising it ends every session opened before
    # (logout, password set, deactivation, "se déconnecter partout").
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this person holds."""
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles: set[Role]) -> None:
        """Replace this person's roles."""
        kept = [row for row in self.role_rows if row.role in roles]
        added = [UserRole(role=role) for role in roles - {row.role for row in kept}]
        self.role_rows = kept + added

    def has_role(self, role: Role) -> bool:
        """Whether this person holds `role`."""
        return role in self.roles

    def get_id(self) -> str:
        """Flask-Login's session id: the user's id and session version, so an old cookie stops working."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """End every session of this person, on every device; the next request asks to log in."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive accounts."""
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(Base):
    """One role held by one person."""

    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda rs: [r.value for r in rs]),
        primary_key=True,
    )
