"""Who sees which convention, and who manages it.

An administrator sees and manages every convention; a coordinator those their organisation
leads; a signatory sees (never manages) the opened conventions one of their offices signs, or
that they signed. A convention a person may not see is answered 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from convsign.errors import NotFound
from convsign.extensions import db
from convsign.models import Convention, ConventionStatus, Delegation, Mandate, Role, Signatory, User


def visible_conventions(user: User, today: date) -> sa.Select[Convention]:
    """A query of the conventions `user` may see."""
    query = sa.select(Convention)
    if user.has_role(Role.ADMIN):
        return query
    conditions: list[sa.ColumnElement[bool]] = []
    if user.has_role(Role.COORDINATOR) and user.organisation_id is not None:
        conditions.append(Convention.lead_id == user.organisation_id)
    if user.has_role(Role.SIGNATORY):
        conditions.append(sa.and_(Convention.status != ConventionStatus.DRAFT,
                                  Convention.id.in_(_signed_by(user, today))))
    return query.where(sa.or_(*conditions) if conditions else sa.false())


def _signed_by(user: User, today: date) -> sa.Select[int]:
    """Conventions with a slot of an office `user` holds today, or a slot `user` signed."""
    offices = sa.select(Mandate.office_id).where(
        Mandate.user_id == user.id, Mandate.start_date <= today,
        sa.or_(Mandate.end_date.is_(None), Mandate.end_date >= today))
    delegated = sa.select(Delegation.office_id).where(  # a deputy signs the office delegated to them
        Delegation.delegate_user_id == user.id, Delegation.revoked_at.is_(None), Delegation.start_date <= today,
        sa.or_(Delegation.end_date.is_(None), Delegation.end_date >= today))
    return sa.select(Signatory.convention_id).where(
        sa.or_(Signatory.office_id.in_(offices), Signatory.office_id.in_(delegated), Signatory.signed_by_id == user.id))


def visible_convention(user: User, convention_id: int, today: date) -> Convention:
    """The convention, if `user` may see it; NotFound otherwise."""
    convention = db.session.scalar(visible_conventions(user, today).where(Convention.id == convention_id))
    if convention is None:
        raise NotFound()
    return convention


def may_manage(user: User, convention: Convention) -> bool:
    """Whether `user` may edit, open or cancel the convention."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.COORDINATOR) and convention.lead_id == user.organisation_id


def managed_convention(user: User, convention_id: int) -> Convention:
    """The convention, if `user` manages it; NotFound otherwise (its existence is not revealed)."""
    convention = db.session.get(Convention, convention_id)
    if convention is None or not may_manage(user, convention):
        raise NotFound()
    return convention
