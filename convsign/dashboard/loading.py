"""What must be loaded, in bulk, to judge many slots without a query per slot.

`circuit.slot_status` reads each slot's convention (its deadline, its other slots), its office's
mandates (is there a holder today) and whatever the registered gates read. Loading these with
`selectinload` costs one query per relationship for a whole page of conventions; lazy loading
would cost one per slot (2,000 on a page of 50 conventions of 40 signatories).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from convsign.conventions import circuit
from convsign.models import Convention, Mandate, Office, Signatory, User


def convention_loading() -> tuple[LoaderOption, ...]:
    """Options for a query of conventions whose slots' statuses, holders and signers are shown."""
    slots = selectinload(Convention.signatories)
    return (
        joinedload(Convention.lead),
        slots.selectinload(Signatory.office)
        .selectinload(Office.mandates)
        .selectinload(Mandate.user)
        .options(lazyload(User.role_rows)),  # roles are not shown: spare their query
        slots.selectinload(Signatory.office).joinedload(Office.organisation),
        slots.selectinload(Signatory.signed_by).options(lazyload(User.role_rows)),
    )


def status_loading() -> tuple[LoaderOption, ...]:
    """The least a query of conventions needs for their slots' statuses (no names, no signers)."""
    office = selectinload(Convention.signatories).selectinload(Signatory.office)
    # The organisation too: the deliberation gate names the party (`party.organisation`).
    return (office.selectinload(Office.mandates), office.joinedload(Office.organisation))


def slot_loading() -> tuple[LoaderOption, ...]:
    """The same, for a query of slots (a signatory's inbox)."""
    conventions = selectinload(Signatory.convention)
    office = selectinload(Signatory.office)
    return (
        conventions.selectinload(Convention.signatories),
        office.selectinload(Office.mandates).selectinload(Mandate.user).options(lazyload(User.role_rows)),
        office.joinedload(Office.organisation),
        selectinload(Signatory.signed_by).options(lazyload(User.role_rows)),
    )


def prepare(conventions: Sequence[Convention], today: date) -> None:
    """Let the gates load in bulk what they need for these conventions (see events.statuses_prefetch)."""
    circuit.prefetch(conventions, today)


def local_day(moment: datetime | None) -> date | None:
    """The calendar day of `moment` where the platform lives (Paris), not in UTC."""
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))
    return moment.astimezone(zone).date() if moment.tzinfo else moment.replace(tzinfo=UTC).astimezone(zone).date()
