"""The circuit's notices, queued in the outbox in the transaction of the event that causes them.

Each is written in its recipient's language (French unless they chose otherwise) and carries a
dedup key, so that the same notice is never queued twice for the same person and event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from convsign.extensions import db
from convsign.i18n import long_date, long_datetime
from convsign.links import external_link
from convsign.models import Convention, Role, Signatory, SlotState, User, UserRole
from convsign.models.types import local_today
from convsign.outbox.queue import queue_email

Compose = Callable[[User], tuple[str, str]]


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an e-mail, on CONVSIGN_EXTERNAL_URL (never on the request's Host)."""
    return external_link(endpoint, **values)


def _queue(users: Iterable[User], key: str, compose: Compose) -> int:
    """Queue one message per distinct active user, composed in their language; how many were new."""
    queued, seen = 0, set()
    for user in users:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        with force_locale(user.preferred_language):
            subject, body = compose(user)
        if queue_email(user.email, subject, body, dedup_key=f"{key}:{user.id}") is not None:
            queued += 1
    return queued


def holder(slot: Signatory) -> User | None:
    """The person holding the slot's office today."""
    mandate = slot.office.holder_on(local_today())
    return mandate.user if mandate is not None else None


def coordinators(convention: Convention) -> list[User]:
    """The active coordinators of the organisation that leads the convention."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole)
            .where(User.organisation_id == convention.lead_id, User.active, UserRole.role == Role.COORDINATOR)
            .order_by(User.id)
        )
    )


def parties_people(convention: Convention) -> list[User]:
    """Every signing office's holder today and everyone who signed, then the coordinators."""
    people = [holder(slot) for slot in convention.signatories]
    people += [slot.signed_by for slot in convention.signatories]
    return [p for p in people if p is not None] + coordinators(convention)


def _stamp(moment: datetime | None) -> int:
    """Microseconds: a reassignment may invite again within the same second as the first time."""
    return round(moment.timestamp() * 1_000_000) if moment else 0


def _signature() -> str:
    return str(_("\n-- \nMessage envoyé automatiquement par convsign ; n'y répondez pas.\n"))


def queue_invitations(slots: Iterable[Signatory]) -> int:
    """Tell each newly invited slot's holder that it is their turn to sign, with the link."""
    count = 0
    for slot in slots:
        person = holder(slot)
        if person is not None:
            key = f"invitation:{slot.id}:{slot.office_id}:{_stamp(slot.invited_at)}"
            count += _queue([person], key, partial(_invitation, slot=slot))
    return count


def _invitation(user: User, slot: Signatory) -> tuple[str, str]:
    convention = slot.convention
    subject = _("À signer : %(title)s", title=convention.title)
    body = _(
        "Bonjour %(name)s,\n\nLa convention « %(title)s » (%(reference)s) attend votre signature, en tant que "
        "« %(office)s ».\nLisez-la et signez-la ici :\n\n%(url)s\n",
        name=user.name,
        title=convention.title,
        reference=convention.reference,
        office=slot.office.title,
        url=absolute_url("signing.sign_page", slot_id=slot.id),
    )
    return subject, body + _deadline_line(convention) + _signature()


def _deadline_line(convention: Convention) -> str:
    if convention.deadline is None:
        return ""
    return "\n" + str(_("Date limite de signature : %(date)s.", date=long_date(convention.deadline))) + "\n"


def queue_reminder(slot: Signatory, period: int) -> bool:
    """Remind the holder of a slot awaiting their signature; False if already reminded this period."""
    person = holder(slot)
    if person is None:
        return False
    return _queue([person], f"relance:{slot.id}:{period}", lambda user: _reminder(user, slot)) > 0


def _reminder(user: User, slot: Signatory) -> tuple[str, str]:
    convention = slot.convention
    subject = _("Relance : %(title)s attend votre signature", title=convention.title)
    body = _(
        "Bonjour %(name)s,\n\nLa convention « %(title)s » attend votre signature, en tant que « %(office)s », "
        "depuis le %(since)s.\nLisez-la et signez-la ici :\n\n%(url)s\n\nSi vous ne souhaitez pas la signer, "
        "vous pouvez la refuser sur la même page, en indiquant votre motif.\n",
        name=user.name,
        title=convention.title,
        office=slot.office.title,
        since=long_date(slot.invited_at),
        url=absolute_url("signing.sign_page", slot_id=slot.id),
    )
    return subject, body + _deadline_line(convention) + _signature()


def queue_refusal_notice(slot: Signatory) -> int:
    """Tell the lead organisation's coordinators that a signatory refused, and why."""
    key = f"refus:{slot.id}:{_stamp(slot.refused_at)}"
    return _queue(coordinators(slot.convention), key, lambda user: _refusal(user, slot))


def _refusal(user: User, slot: Signatory) -> tuple[str, str]:
    convention = slot.convention
    subject = _("Refus de signature : %(title)s", title=convention.title)
    body = _(
        "Bonjour %(name)s,\n\n%(who)s, « %(office)s », a refusé de signer la convention « %(title)s » le "
        "%(when)s.\n\nMotif : %(reason)s\n\nLe circuit s'arrête après cette étape jusqu'à votre décision : "
        "réattribuer la signature, annuler la convention, ou la clore avec les signatures obtenues.\n\n%(url)s\n",
        name=user.name,
        who=slot.refused_by.name if slot.refused_by else "?",
        office=slot.office.title,
        title=convention.title,
        when=long_datetime(slot.refused_at),
        reason=slot.refusal_reason,
        url=absolute_url("followup.refusals", convention_id=convention.id),
    )
    return subject, body + _signature()


def queue_completion_notice(convention: Convention) -> int:
    """Tell every party's signatories and the coordinators that the convention is signed, with the link."""
    return _queue(parties_people(convention), f"signee:{convention.id}", lambda user: _completion(user, convention))


def _completion(user: User, convention: Convention) -> tuple[str, str]:
    subject = _("Convention signée : %(title)s", title=convention.title)
    body = _(
        "Bonjour %(name)s,\n\nLa convention « %(title)s » (%(reference)s) est signée. Le document signé, "
        "horodaté pour l'archivage, se télécharge ici :\n\n%(url)s\n",
        name=user.name,
        title=convention.title,
        reference=convention.reference,
        url=absolute_url("conventions.download_document", convention_id=convention.id),
    )
    refused = [slot.office.title for slot in convention.signatories if slot.state == SlotState.REFUSED]
    if refused:
        body += (
            "\n"
            + _("Elle a été close avec les signatures obtenues ; n'ont pas signé : %(list)s.", list=", ".join(refused))
            + "\n"
        )
    return subject, body + _signature()


def queue_cancellation_notice(convention: Convention) -> int:
    """Tell every party (once the convention was opened) that it is cancelled, and why."""
    if convention.opened_at is None:
        return 0  # a draft: nobody was asked to sign
    key = f"annulee:{convention.id}:{_stamp(convention.closed_at)}"
    return _queue(parties_people(convention), key, lambda user: _cancellation(user, convention))


def _cancellation(user: User, convention: Convention) -> tuple[str, str]:
    subject = _("Convention annulée : %(title)s", title=convention.title)
    body = _(
        "Bonjour %(name)s,\n\nLa convention « %(title)s » (%(reference)s) a été annulée le %(when)s ; elle ne "
        "peut plus être signée.\n\nMotif : %(reason)s\n",
        name=user.name,
        title=convention.title,
        reference=convention.reference,
        when=long_datetime(convention.closed_at),
        reason=convention.closed_reason,
    )
    return subject, body + _signature()


def queue_expiry_notice(convention: Convention) -> int:
    """Tell the coordinators that the convention expired, and that its deadline may be extended."""
    key = f"expiree:{convention.id}:{_stamp(convention.closed_at)}"
    return _queue(coordinators(convention), key, lambda user: _expiry(user, convention))


def _expiry(user: User, convention: Convention) -> tuple[str, str]:
    subject = _("Convention expirée : %(title)s", title=convention.title)
    body = _(
        "Bonjour %(name)s,\n\nLa date limite de signature de la convention « %(title)s » (%(date)s) est "
        "dépassée : elle est marquée expirée. Vous pouvez reporter sa date limite pour reprendre le circuit :"
        "\n\n%(url)s\n",
        name=user.name,
        title=convention.title,
        date=long_date(convention.deadline),
        url=absolute_url("followup.deadline", convention_id=convention.id),
    )
    return subject, body + _signature()


# Subscribers to convsign.events, connected at app creation (convsign.web) -----------------------


def on_slots_invited(convention: Convention, *, slots: list[Signatory], **_more: Any) -> None:
    """A stage opened: invite its holders."""
    queue_invitations(slots)


def on_slot_refused(convention: Convention, *, slot: Signatory, **_more: Any) -> None:
    """A signatory refused: tell the coordinators."""
    queue_refusal_notice(slot)


def on_convention_completed(convention: Convention, **_more: Any) -> None:
    """The last signature landed: tell everyone, with the link to the signed document."""
    queue_completion_notice(convention)


def on_convention_cancelled(convention: Convention, **_more: Any) -> None:
    """Cancelled: tell the parties (once it was opened)."""
    queue_cancellation_notice(convention)
