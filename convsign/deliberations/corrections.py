"""What a party signed under stays as it was: frozen deliberation records, and corrections beside them.

Once a slot of the party is signed, the deliberation record that existed then never changes: a
correction entered afterwards is a new record (what differs, who, when), audited, that neither
reopens nor rewrites what was signed; a waiver can no longer be granted or withdrawn.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import ConventionParty, Deliberation, DeliberationCorrection, SlotState, User


def frozen(party: ConventionParty) -> bool:
    """Whether a slot of the party is signed: what its signature rested on no longer changes."""
    return any(
        slot.state == SlotState.SIGNED and slot.office.organisation_id == party.organisation_id
        for slot in party.convention.signatories
    )


def record_frozen(deliberation: Deliberation) -> bool:
    """Whether a slot of the party was signed while this record existed: it then never changes again.

    A record first entered after the party signed (under a waiver, say) was not what the signature
    rested on, and may be completed like any other.
    """
    party = deliberation.party
    created = deliberation.created_at
    return any(
        slot.state == SlotState.SIGNED and slot.office.organisation_id == party.organisation_id
        and (created is None or slot.signed_at is None or slot.signed_at >= created)
        for slot in party.convention.signatories
    )


def record_correction(
    deliberation: Deliberation, changes: dict[str, Any], actor: User | None
) -> DeliberationCorrection:
    """After signing: keep the corrected facts as a new record beside the frozen one, audited.

    The frozen record, and so what the gate saw when the party signed, stays as it was.
    """
    correction = DeliberationCorrection(
        changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
        recorded_by_id=actor.id if actor else None,
    )
    deliberation.corrections.append(correction)  # so a PDF sent with it in this request joins it
    db.session.flush()
    party = deliberation.party
    record(
        "deliberation_corrected",
        actor=actor,
        convention_id=party.convention_id,
        party=party.id,
        organisation=party.organisation_id,
        correction=correction.id,
        changes=changes,
    )
    return correction


def attach_to_correction(deliberation: Deliberation, sha256: str, actor: User) -> None:
    """A PDF sent after signing goes with the newest correction (a new one if there is none)."""
    correction = deliberation.corrections[-1] if deliberation.corrections else None
    if correction is None or correction.pdf_sha256 is not None:
        correction = DeliberationCorrection(changes="{}", recorded_by_id=actor.id)
        deliberation.corrections.append(correction)
    correction.pdf_sha256 = sha256
    db.session.flush()
    record("deliberation_corrected", actor=actor, convention_id=deliberation.party.convention_id,
           party=deliberation.convention_party_id, correction=correction.id, sha256_after=sha256)


def refuse_if_frozen(party: ConventionParty) -> None:
    if frozen(party):
        raise ValidationFailed(_("Cette partie a signé : ce qui fondait sa signature ne change plus."))
