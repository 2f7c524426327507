"""A signatory's own actions through the API: create their signing key, sign, refuse.

Each is open only to the person who holds the slot's office (or a deputy holding its
delegation): anyone else who may see the convention gets 403, anyone who may not, 404.
"""

from __future__ import annotations

import re

from flask import Response
from flask_babel import gettext as _

from convsign.api import inputs
from convsign.api.bearer import caller
from convsign.api.blueprint import bp
from convsign.api.conventions import json_response, visible
from convsign.errors import Forbidden, NotFound, ValidationFailed
from convsign.extensions import db
from convsign.followup.services import refuse_slot
from convsign.models import Signatory
from convsign.models.types import utcnow
from convsign.signing import services
from convsign.signing.errors import SigningRefused, WrongSigningPassphrase

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def slot_of(convention_id: int, slot_id: int) -> Signatory:
    """The slot of a convention the caller may see (404 otherwise)."""
    visible(convention_id)
    slot = db.session.get(Signatory, slot_id)
    if slot is None or slot.convention_id != convention_id:
        raise NotFound()
    return slot


def own_authority(slot: Signatory) -> services.Authority:
    """The caller's authority over the slot; 403 when it is someone else's."""
    try:
        return services.signing_authority(slot, caller())
    except SigningRefused as error:
        raise Forbidden(error.message) from error


@bp.post("/conventions/<int:convention_id>/signatories/<int:slot_id>/signing-key")
def create_signing_key(convention_id: int, slot_id: int) -> Response:
    """Choose the signing passphrase: the server generates the key and its certificate."""
    slot = slot_of(convention_id, slot_id)
    own_authority(slot)
    passphrase = inputs.text(inputs.json_body(), "passphrase", max_length=1000)
    key = services.create_key_for_slot(slot, caller(), passphrase, utcnow())
    db.session.commit()
    return json_response(
        {
            "certificate_sha256": key.certificate_sha256,
            "serial": key.serial_hex,
            "not_after": key.not_after.isoformat(),
        },
        201,
    )


@bp.post("/conventions/<int:convention_id>/signatories/<int:slot_id>/signature")
def sign(convention_id: int, slot_id: int) -> Response:
    """Sign the slot with one's own key, naming the revision one read (`seen_sha256`)."""
    own_authority(slot_of(convention_id, slot_id))
    data = inputs.json_body()
    passphrase = inputs.text(data, "passphrase", max_length=1000)
    seen = inputs.text(data, "seen_sha256", max_length=64)
    if not SHA256_HEX.match(seen):
        raise ValidationFailed(
            _("« seen_sha256 » : l'empreinte SHA-256 (64 caractères hexadécimaux) du document lu."), "seen_sha256"
        )
    try:
        revision = services.sign_slot(slot_id, caller(), passphrase, seen, utcnow())
    except WrongSigningPassphrase:
        db.session.rollback()
        services.record_wrong_passphrase(slot_id, caller(), utcnow())
        db.session.commit()
        raise
    db.session.commit()
    return json_response({"revision": revision.number, "sha256": revision.sha256}, 201)


@bp.post("/conventions/<int:convention_id>/signatories/<int:slot_id>/refusal")
def refuse(convention_id: int, slot_id: int) -> Response:
    """Refuse to sign, with a reason sent to the coordinator; the circuit halts after this stage."""
    own_authority(slot_of(convention_id, slot_id))
    reason = inputs.text(inputs.json_body(), "reason", max_length=2000)
    slot = refuse_slot(slot_id, caller(), reason, utcnow())
    db.session.commit()
    return json_response({"id": slot.id, "status": "refuse", "reason": slot.refusal_reason}, 201)
