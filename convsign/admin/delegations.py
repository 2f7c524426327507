"""Delegations of signature and the end of mandates: who may sign for an office, and until when.

A deputy signs an office's slot under an arrêté of delegation recorded here. When a mandate ends
(elections, resignation) the outgoing holder's signing certificates are revoked (reason
affiliationChanged: they appear on the next CRL, and signatures timestamped before stay valid), and
the delegations they granted lapse with them. Pending slots need no move: a slot belongs to the
office, and the office resolves to whoever holds it on the day of signing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import Delegation, Mandate, Office, SigningKey, User
from convsign.models.types import local_today, utcnow
from convsign.signing.keys import revoke_key

REVOCATION_REASON = "affiliationChanged"


@dataclass(frozen=True)
class DelegationData:
    """What the delegation form carries."""

    office_id: int
    delegate_user_id: int
    delegate_title: str
    order_number: str
    order_date: date
    scope: str
    start_date: date
    end_date: date | None


def _check(data: DelegationData) -> Office:
    office = db.session.get(Office, data.office_id)
    if office is None:
        raise ValidationFailed(_("Cette fonction n'existe pas."), "office_id")
    if data.end_date is not None and data.end_date < data.start_date:
        raise ValidationFailed(_("La fin de la délégation doit suivre son début."), "end_date")
    if data.start_date < data.order_date:
        raise ValidationFailed(_("Une délégation ne peut pas commencer avant la date de son arrêté."), "start_date")
    holder = office.holder_on(data.start_date)
    if holder is not None and holder.user_id == data.delegate_user_id:
        raise ValidationFailed(
            _("Le titulaire de la fonction n'a pas besoin de délégation pour signer."), "delegate_user_id"
        )
    return office


def create_delegation(data: DelegationData, actor: User | None) -> Delegation:
    """Record an arrêté of delegation: the deputy may then sign the office's slots."""
    office = _check(data)
    delegation = Delegation(
        office_id=office.id,
        delegate_user_id=data.delegate_user_id,
        delegate_title=data.delegate_title.strip(),
        order_number=data.order_number.strip(),
        order_date=data.order_date,
        scope=data.scope.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(delegation)
    db.session.flush()
    record(
        "delegation_created",
        actor=actor,
        delegation=delegation.id,
        office=office.title,
        delegate=data.delegate_user_id,
        order=delegation.order_number,
        order_date=data.order_date.isoformat(),
    )
    return delegation


def end_delegation(delegation: Delegation, actor: User | None, now: datetime) -> None:
    """End a delegation now: the deputy's certificate for it is revoked."""
    if delegation.revoked_at is not None:
        return
    delegation.revoked_at = now
    for key in _active_keys(SigningKey.delegation_id == delegation.id):
        revoke_key(key, REVOCATION_REASON, actor, now)
    record(
        "delegation_ended",
        actor=actor,
        delegation=delegation.id,
        office=delegation.office.title,
        order=delegation.order_number,
    )


def _active_keys(condition: sa.ColumnElement[bool]) -> list[SigningKey]:
    return list(db.session.scalars(sa.select(SigningKey).where(condition, SigningKey.revoked_at.is_(None))))


def after_mandate_saved(mandate: Mandate, actor: User | None, today: date | None = None) -> None:
    """Once a mandate has ended, or a new holder has started, close what the outgoing holder held."""
    today = today or local_today()
    office = mandate.office
    # The saved mandate counts as ended from its last day; the others once it is past (a successor started).
    ended = [
        m
        for m in office.mandates
        if m.end_date is not None and (m.end_date < today or (m is mandate and m.end_date <= today))
    ]
    for old in ended:
        end_of_mandate(old, actor, utcnow())


def end_of_mandate(mandate: Mandate, actor: User | None, now: datetime) -> None:
    """Revoke the outgoing holder's certificates for this office; lapse the delegations they granted."""
    keys = _active_keys(SigningKey.mandate_id == mandate.id)
    for key in keys:
        revoke_key(key, REVOCATION_REASON, actor, now)
    lapsed = [d for d in _delegations_of(mandate.office) if d.start_date <= (mandate.end_date or d.start_date)]
    for delegation in lapsed:
        end_delegation(delegation, actor, now)
    if keys or lapsed:
        record(
            "mandate_ended",
            actor=actor,
            mandate=mandate.id,
            office=mandate.office.title,
            holder=mandate.user_id,
            revoked=[k.serial_hex for k in keys],
            delegations=[d.id for d in lapsed],
        )


def _delegations_of(office: Office) -> list[Delegation]:
    return list(
        db.session.scalars(
            sa.select(Delegation).where(Delegation.office_id == office.id, Delegation.revoked_at.is_(None))
        )
    )


def delegations() -> list[Delegation]:
    """Every delegation, newest first."""
    return list(db.session.scalars(sa.select(Delegation).order_by(Delegation.id.desc())))
