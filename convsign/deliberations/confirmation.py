"""Confirming a deliberation, and the convention's rule of what opens the gate.

Under the default rule ("confirmed"), a deliberation the signatory entered alone does not open
their own gate: it needs the prefecture's @ctes acknowledgement, or a confirmation on its PDF by
someone other than the party's signatory and than whoever entered it: the convention's
coordinator, or a second person of the commune with the right.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.conventions import access
from convsign.deliberations import gate
from convsign.deliberations.corrections import record_frozen
from convsign.deliberations.services import may_enter
from convsign.errors import Forbidden, ValidationFailed
from convsign.extensions import db
from convsign.models import Convention, ConventionParty, Delegation, Deliberation, User
from convsign.models.deliberation import deliberation_of
from convsign.models.types import utcnow


def signs_for(user: User, party: ConventionParty, today: date) -> bool:
    """Whether `user` signs for the party in this convention: holds, or is delegated, an office of
    the party that has a slot in it."""
    offices = {s.office for s in party.convention.signatories if s.office.organisation_id == party.organisation_id}
    for office in offices:
        holder = office.holder_on(today)
        if holder is not None and holder.user_id == user.id:
            return True
    delegated = db.session.scalars(
        sa.select(Delegation).where(Delegation.delegate_user_id == user.id,
                                    Delegation.office_id.in_([o.id for o in offices]))
    )
    return any(d.in_force_on(today) for d in delegated)


def confirm_deliberation(party: ConventionParty, actor: User, today: date) -> Deliberation:
    """Someone other than the party's signatory, and than who recorded it, confirms the deliberation
    against its PDF; under the default rule this is what opens the gate without an @ctes receipt."""
    if not may_enter(actor, party):
        raise Forbidden()
    deliberation = deliberation_of(party)
    if deliberation is None:
        raise ValidationFailed(_("Aucune délibération n'est enregistrée : il n'y a rien à confirmer."))
    if record_frozen(deliberation):
        raise ValidationFailed(_("Cette partie a signé : sa délibération est figée."))
    if signs_for(actor, party, today):
        raise ValidationFailed(_(
            "Vous signez pour %(who)s : la confirmation revient au coordinateur de la convention ou à une autre "
            "personne de %(who)s.", who=party.organisation.name))
    if deliberation.recorded_by_id is not None and deliberation.recorded_by_id == actor.id:
        raise ValidationFailed(_("Vous avez enregistré cette délibération : une autre personne doit la confirmer."))
    if deliberation.pdf_sha256 is None:
        raise ValidationFailed(_("Joignez d'abord le PDF de la délibération ou de son extrait : la confirmation se "
                                 "fait sur pièce."))
    deliberation.confirmed_by_id, deliberation.confirmed_at = actor.id, utcnow()
    record("deliberation_confirmed", actor=actor, convention_id=party.convention_id, party=party.id,
           organisation=party.organisation_id, sha256_after=deliberation.pdf_sha256)
    return deliberation


def set_rule(convention: Convention, rule: str, actor: User) -> None:
    """The coordinator chooses what opens the deliberation gate of this convention (audited)."""
    if not access.may_manage(actor, convention):
        raise Forbidden()
    if rule not in gate.RULES:
        raise ValidationFailed(_("Règle inconnue."), "rule")
    if rule == convention.deliberation_rule:
        return
    convention.deliberation_rule = rule
    record("deliberation_rule_changed", actor=actor, convention_id=convention.id, rule=rule)
