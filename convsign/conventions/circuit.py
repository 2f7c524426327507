"""The signing circuit: which stage is open, and what each slot is waiting for.

Stages open in order: a stage opens when every slot of the stages before it is signed. A refusal
halts the circuit after its stage until the coordinator resolves it. 'Waiting', 'to sign' and
'blocked' are derived here, never stored, so they cannot drift from the facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from convsign import events
from convsign.models import Convention, ConventionStatus, Signatory, SlotState

WAITING, TO_SIGN, BLOCKED, SIGNED, REFUSED = "en_attente", "a_signer", "bloque", "signe", "refuse"


@dataclass(frozen=True)
class SlotStatus:
    """A slot's status and, when blocked, why, in words a person can act on."""

    code: str
    reason: str | None = None

    @property
    def can_sign(self) -> bool:
        """Whether the slot may be signed now (by its office's holder)."""
        return self.code == TO_SIGN


def open_stage(convention: Convention) -> int | None:
    """The stage now open for signature, or None (draft, finished, or halted by a refusal)."""
    if convention.status != ConventionStatus.CIRCULATING:
        return None
    for stage in sorted({slot.stage for slot in convention.signatories}):
        states = {slot.state for slot in convention.signatories if slot.stage == stage}
        if SlotState.OPEN in states:
            return stage
        if SlotState.REFUSED in states:
            return None
    return None


def halted_by_refusal(convention: Convention) -> bool:
    """Whether a refusal stops the circuit until the coordinator decides."""
    return (convention.status == ConventionStatus.CIRCULATING and open_stage(convention) is None
            and any(slot.state == SlotState.REFUSED for slot in convention.signatories))


def slot_status(slot: Signatory, today: date, stage: int | None) -> SlotStatus:
    """What `slot` is waiting for, given the convention's open `stage`."""
    if slot.state == SlotState.SIGNED:
        return SlotStatus(SIGNED)
    if slot.state == SlotState.REFUSED:
        return SlotStatus(REFUSED, slot.refusal_reason)
    if stage is None or slot.stage != stage:
        return SlotStatus(WAITING)
    reason = blocking_reason(slot, today)
    return SlotStatus(BLOCKED, reason) if reason else SlotStatus(TO_SIGN)


def blocking_reason(slot: Signatory, today: date) -> str | None:
    """Why an open slot of the open stage cannot be signed today, or None."""
    deadline = slot.convention.deadline
    if deadline is not None and today > deadline:
        return str(_("bloqué : la date limite de signature est dépassée"))
    if slot.office.holder_on(today) is None:
        return str(_("bloqué : la fonction « %(office)s » n'a pas de titulaire enregistré", office=slot.office.title))
    # Further gates (the deliberation's) are connected at app creation: see convsign.events.
    for _gate, reason in events.slot_gate.send(slot, today=today):
        if reason:
            return str(reason)
    return None


def prefetch(conventions: Sequence[Convention], today: date) -> None:
    """Let every gate load in bulk what it needs to judge these conventions' slots on `today`."""
    if conventions:
        events.statuses_prefetch.send(conventions, today=today)


def statuses(convention: Convention, today: date) -> dict[int, SlotStatus]:
    """Every slot's status, by slot id (the open stage computed once)."""
    stage = open_stage(convention)
    return {slot.id: slot_status(slot, today, stage) for slot in convention.signatories}

