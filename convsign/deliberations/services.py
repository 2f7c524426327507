"""Deliberation rules: who records them, what they must contain, waivers, the PDF and the extract.

The checks come from convsign.rules (pure); this module turns their codes into French messages
on the field at fault, writes the audit entry, flushes and never commits.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.conventions import access
from convsign.conventions.services import upload_message
from convsign.deliberations import corrections, messages
from convsign.documents import services as documents
from convsign.errors import Forbidden, NotFound, ValidationFailed
from convsign.extensions import db
from convsign.models import (
    ConventionParty,
    ConventionStatus,
    Deliberation,
    Role,
    User,
)
from convsign.models.deliberation import deliberation_of
from convsign.pdf.errors import PdfRejected
from convsign.pdf.inspection import inspect_pdf
from convsign.rules.actes import ActesError, ActesIdentifier, deliberation_mismatches, parse_actes_identifier
from convsign.rules.deliberation_rules import DeliberationFacts, problems

# The organisation's own people who may record its deliberation: its signatories (the mayor) and
# its agents given that right, modelled simply as its users holding the coordinator role.
ENTERING_ROLES = (Role.SIGNATORY, Role.COORDINATOR)


@dataclass(frozen=True)
class DeliberationData:
    """What the deliberation form carries."""

    session_date: date
    convocation_date: date | None
    members_in_office: int
    members_present: int
    members_represented: int
    secretary: str
    rapporteur: str
    subject: str
    unanimous: bool
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    number: str
    actes_identifier: str | None
    sent_on: date | None
    acknowledged_on: date | None
    published_on: date | None
    publication_mode: str | None
    executory_on: date | None


class DeliberationInvalid(ValidationFailed):
    """Every problem of a deliberation form, each on its field; the first is the error's own."""

    def __init__(self, found: list[tuple[str, str]]) -> None:
        super().__init__(found[0][1], found[0][0])
        self.problems = found


def get_party(party_id: int) -> ConventionParty:
    """The convention party, or NotFound."""
    party = db.session.get(ConventionParty, party_id)
    if party is None:
        raise NotFound()
    return party


def may_enter(user: User, party: ConventionParty) -> bool:
    """The party's own signatories and agents, the convention's coordinator, and administrators."""
    if access.may_manage(user, party.convention):
        return True
    own = user.active and user.organisation_id == party.organisation_id
    return own and any(user.has_role(role) for role in ENTERING_ROLES)


def party_for_viewer(user: User, party_id: int, today: date) -> ConventionParty:
    """The party if `user` may see its convention, or enter its deliberation once it is out of draft;
    NotFound otherwise.

    The deliberation pages follow the convention's visibility: a commune's people do not see a
    draft here either, even their own commune's party of it.
    """
    party = get_party(party_id)
    if access.may_manage(user, party.convention):
        return party
    if party.convention.status == ConventionStatus.DRAFT or not may_enter(user, party):
        access.visible_convention(user, party.convention_id, today)
    return party


def party_for_editor(user: User, party_id: int, today: date) -> ConventionParty:
    """The party if `user` may record its deliberation; NotFound if unseen, Forbidden if only seen."""
    party = party_for_viewer(user, party_id, today)
    if not may_enter(user, party):
        raise Forbidden()
    return party


def facts(data: DeliberationData | Deliberation) -> DeliberationFacts:
    """The facts the pure rules check."""
    return DeliberationFacts(
        session_date=data.session_date,
        convocation_date=data.convocation_date,
        members_in_office=data.members_in_office,
        members_present=data.members_present,
        members_represented=data.members_represented,
        unanimous=data.unanimous,
        votes_for=data.votes_for,
        votes_against=data.votes_against,
        abstentions=data.abstentions,
        sent_on=data.sent_on,
        acknowledged_on=data.acknowledged_on,
        published_on=data.published_on,
        executory_on=data.executory_on,
    )


def check(party: ConventionParty, data: DeliberationData) -> tuple[ActesIdentifier | None, list[tuple[str, str]]]:
    """The parsed @ctes identifier, and every problem as (field, French message)."""
    found = [(p.field, messages.rule_message(p.code)) for p in problems(facts(data))]
    identifier, actes_problems = _check_actes(party, data)
    if data.acknowledged_on is not None and not data.actes_identifier:
        actes_problems.append(("actes_identifier", _("L'accusé de réception porte l'identifiant @ctes : recopiez-le.")))
    return identifier, actes_problems + found


def _check_actes(
    party: ConventionParty, data: DeliberationData
) -> tuple[ActesIdentifier | None, list[tuple[str, str]]]:
    if not data.actes_identifier:
        return None, []
    try:
        identifier = parse_actes_identifier(data.actes_identifier)
    except ActesError as error:
        return None, [("actes_identifier", messages.actes_message(error.code, error.details))]
    organisation = party.organisation
    return identifier, [
        ("actes_identifier", messages.mismatch_message(m.code, m.details, organisation.name))
        for m in deliberation_mismatches(identifier, organisation.siren, data.session_date)
    ]


def record_deliberation(party: ConventionParty, data: DeliberationData, actor: User | None) -> Deliberation:
    """Record (or correct) the party's deliberation after every check; audited with what changed."""
    identifier, found = check(party, data)
    if found:
        raise DeliberationInvalid(found)
    deliberation = deliberation_of(party)
    if deliberation is not None and corrections.record_frozen(deliberation):
        shadow = Deliberation()  # the frozen record's facts, to measure the correction against
        for name in (f.name for f in dataclasses.fields(DeliberationData)):
            setattr(shadow, name, getattr(deliberation, name))
        changes = _apply(shadow, data, identifier)
        if changes:
            corrections.record_correction(deliberation, changes, actor)
        return deliberation
    creating = deliberation is None
    if deliberation is None:
        deliberation = Deliberation(party=party)
        db.session.add(deliberation)
    changes = _apply(deliberation, data, identifier)
    if not creating and not changes:  # sent again unchanged (with a PDF, say): nothing to record
        return deliberation
    deliberation.recorded_by_id = actor.id if actor else None
    unconfirmed = _drop_confirmation(deliberation)
    db.session.flush()
    record(
        "deliberation_recorded" if creating else "deliberation_updated",
        actor=actor,
        convention_id=party.convention_id,
        party=party.id,
        organisation=party.organisation_id,
        changes=changes,
        confirmation_withdrawn=unconfirmed,
    )
    return deliberation


def _drop_confirmation(deliberation: Deliberation) -> bool:
    """A changed record is no longer what was confirmed: the confirmation goes; whether there was one."""
    had = deliberation.confirmed_by_id is not None
    deliberation.confirmed_by_id, deliberation.confirmed_at = None, None
    return had


def _apply(deliberation: Deliberation, data: DeliberationData, identifier: ActesIdentifier | None) -> dict[str, Any]:
    """Copy the form onto the record; return the fields that changed, with their new values."""
    values = dataclasses.asdict(data)
    values["actes_identifier"] = str(identifier) if identifier else None
    for name in ("secretary", "rapporteur", "subject", "number"):
        values[name] = values[name].strip()
    changes = {}
    for name, value in values.items():
        if getattr(deliberation, name, None) != value:
            setattr(deliberation, name, value)
            changes[name] = value.isoformat() if isinstance(value, date) else value
    return changes


def attach_pdf(deliberation: Deliberation, pdf: bytes, actor: User) -> None:
    """Keep the commune's own PDF of the deliberation, once inspected like every upload."""
    config = current_app.config
    try:
        inspect_pdf(pdf, max_bytes=int(config["MAX_UPLOAD_MB"]) * 1024 * 1024, max_pages=int(config["MAX_PDF_PAGES"]))
    except PdfRejected as error:
        raise ValidationFailed(upload_message(error), "pdf") from error
    sha256 = documents.store().put(pdf)
    if corrections.record_frozen(deliberation):
        corrections.attach_to_correction(deliberation, sha256, actor)
        return
    if sha256 != deliberation.pdf_sha256:
        _drop_confirmation(deliberation)  # confirmed on another document
    deliberation.pdf_sha256 = sha256
    record(
        "deliberation_pdf_attached",
        actor=actor,
        convention_id=deliberation.party.convention_id,
        party=deliberation.convention_party_id,
        sha256_after=deliberation.pdf_sha256,
    )


def waive(party: ConventionParty, reason: str, actor: User) -> None:
    """The coordinator dispenses a party from the deliberation, with a reason."""
    if not access.may_manage(actor, party.convention):
        raise Forbidden()
    corrections.refuse_if_frozen(party)
    if not reason.strip():
        raise ValidationFailed(_("Indiquez pourquoi cette partie est dispensée de délibération."), "reason")
    party.deliberation_required, party.waiver_reason = False, reason.strip()
    record(
        "deliberation_waived",
        actor=actor,
        convention_id=party.convention_id,
        party=party.id,
        organisation=party.organisation_id,
        reason=party.waiver_reason,
    )


def require(party: ConventionParty, actor: User) -> None:
    """The coordinator withdraws a waiver: the party needs its deliberation again."""
    if not access.may_manage(actor, party.convention):
        raise Forbidden()
    corrections.refuse_if_frozen(party)
    party.deliberation_required, party.waiver_reason = True, None
    record(
        "deliberation_required",
        actor=actor,
        convention_id=party.convention_id,
        party=party.id,
        organisation=party.organisation_id,
    )
