"""Refusals and the coordinator's decisions: refuse, reassign, close with the signatures obtained, extend.

Each change locks the convention (signers and deciders of one document queue), checks the rules,
records its audit entry and queues its notices in the caller's transaction; it flushes, never commits.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign import events
from convsign.audit.services import record
from convsign.conventions.services import invite_open_stage
from convsign.documents import services as documents
from convsign.errors import NotFound, ValidationFailed
from convsign.extensions import db
from convsign.models import Convention, ConventionStatus, DocumentRevision, Office, Role, Signatory, SlotState, User
from convsign.signing.services import complete_convention, ensure_may_sign, get_slot

MAX_TEXT = 2000


def manager_role(user: User) -> str:
    """How a decider appears in the audit trail."""
    return "administrateur" if user.has_role(Role.ADMIN) else "coordinateur"


def refuse_slot(slot_id: int, user: User, reason: str, now: datetime) -> Signatory:
    """The slot's holder refuses to sign, with a reason; the circuit halts after this stage."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Indiquez le motif de votre refus."), "reason")
    documents.lock_convention(get_slot(slot_id).convention_id)
    slot = get_slot(slot_id)
    ensure_may_sign(slot, user)  # the same rules as signing: their office, their turn, not blocked
    slot.state, slot.refused_at, slot.refused_by_id = SlotState.REFUSED, now, user.id
    slot.refusal_reason = reason[:MAX_TEXT]
    db.session.flush()
    entry = record(
        "signature_refused",
        actor=user,
        role="signataire",
        convention_id=slot.convention_id,
        slot_id=slot.id,
        office=slot.office.title,
        reason=slot.refusal_reason,
    )
    events.slot_refused.send(slot.convention, slot=slot, entry=entry)
    return slot


def refused_slots(convention: Convention) -> list[Signatory]:
    """The slots whose signatory refused, in circuit order."""
    return [slot for slot in convention.signatories if slot.state == SlotState.REFUSED]


def _refused_slot(convention: Convention, slot_id: int) -> Signatory:
    slot = next((s for s in convention.signatories if s.id == slot_id), None)
    if slot is None:
        raise NotFound()
    if convention.status != ConventionStatus.CIRCULATING or slot.state != SlotState.REFUSED:
        raise ValidationFailed(_("Seule une signature refusée d'une convention en circulation peut être réattribuée."))
    return slot


def reassignable_offices(convention: Convention, slot: Signatory) -> list[Office]:
    """The slot's own office, and its organisation's offices that do not already sign this convention."""
    taken = {s.office_id for s in convention.signatories if s.id != slot.id}
    offices = db.session.scalars(
        sa.select(Office).where(Office.organisation_id == slot.office.organisation_id).order_by(Office.title, Office.id)
    )
    return [office for office in offices if office.id not in taken]


def reassign_slot(convention_id: int, slot_id: int, office_id: int, actor: User, now: datetime) -> Signatory:
    """Give a refused slot to an office of the same organisation (or the same one, newly held): it reopens.

    The refusal stays in the audit trail; the field keeps its name, which is in the PDF.
    """
    convention = documents.lock_convention(convention_id)
    slot = _refused_slot(convention, slot_id)
    office = next((o for o in reassignable_offices(convention, slot) if o.id == office_id), None)
    if office is None:
        raise ValidationFailed(
            _("Choisissez une fonction de la même organisation qui ne signe pas déjà la convention."), "office_id"
        )
    from_office, refused_by, reason, refused_at = (
        slot.office.title,
        slot.refused_by_id,
        slot.refusal_reason,
        slot.refused_at,
    )
    slot.office, slot.state = office, SlotState.OPEN
    slot.refused_at = slot.refused_by_id = slot.refusal_reason = None
    slot.invited_at = slot.reminded_at = None
    db.session.flush()
    record(
        "slot_reassigned",
        actor=actor,
        role=manager_role(actor),
        convention_id=convention.id,
        slot_id=slot.id,
        from_office=from_office,
        to_office=office.title,
        refused_by=refused_by,
        refusal_reason=reason,
        refused_at=refused_at,
    )
    invite_open_stage(convention, now)  # the stage reopens: its new holder is invited
    return slot


def closing_obstacle(convention: Convention) -> str | None:
    """Why the convention cannot be closed with the signatures obtained, or None."""
    states = [slot.state for slot in convention.signatories]
    if convention.status != ConventionStatus.CIRCULATING:
        return str(_("Seule une convention en circulation peut être close."))
    if SlotState.REFUSED not in states:
        return str(_("Aucun signataire n'a refusé : la convention se termine d'elle-même à la dernière signature."))
    if SlotState.OPEN in states:
        return str(_("Chaque signataire qui n'a pas refusé doit d'abord avoir signé."))
    if SlotState.SIGNED not in states:
        return str(_("Aucune signature n'a été obtenue : annulez plutôt la convention."))
    return None


def close_with_signatures(convention_id: int, actor: User, note: str, now: datetime) -> DocumentRevision:
    """Complete the document to PAdES B-LTA without the refused signatures: the convention is signed."""
    convention = documents.lock_convention(convention_id)
    obstacle = closing_obstacle(convention)
    if obstacle:
        raise ValidationFailed(obstacle)
    if not note.strip():
        raise ValidationFailed(_("Indiquez pourquoi la convention est close sans ces signatures."), "note")
    refused = [
        {"slot_id": s.id, "office": s.office.title, "reason": s.refusal_reason} for s in refused_slots(convention)
    ]
    revision = complete_convention(convention, now)
    convention.closed_at, convention.closed_reason = now, note.strip()[:MAX_TEXT]
    record(
        "convention_closed_with_refusals",
        actor=actor,
        role=manager_role(actor),
        convention_id=convention.id,
        sha256_after=revision.sha256,
        note=convention.closed_reason,
        refused=refused,
    )
    return revision


def extend_deadline(convention_id: int, deadline: date, actor: User, today: date) -> Convention:
    """Push the signing deadline back; an expired convention circulates again."""
    convention = documents.lock_convention(convention_id)
    if convention.status not in (ConventionStatus.CIRCULATING, ConventionStatus.EXPIRED):
        raise ValidationFailed(_("Seule la date limite d'une convention en circulation ou expirée peut être reportée."))
    if deadline < today:
        raise ValidationFailed(_("La nouvelle date limite ne peut pas être passée."), "deadline")
    if convention.deadline is not None and deadline <= convention.deadline:
        raise ValidationFailed(_("Choisissez une date postérieure à la date limite actuelle."), "deadline")
    previous, reopened = convention.deadline, convention.status == ConventionStatus.EXPIRED
    convention.deadline = deadline
    if reopened:
        convention.status, convention.closed_at, convention.closed_reason = ConventionStatus.CIRCULATING, None, None
    record(
        "deadline_extended",
        actor=actor,
        role=manager_role(actor),
        convention_id=convention.id,
        previous=previous,
        deadline=deadline,
        reopened=reopened,
    )
    return convention
