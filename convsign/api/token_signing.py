"""Signing with one's own certificate on a token, in two calls: prepare (the digest to sign),
then finish (the raw signature value). Used by the local agent (convsign-agent)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Response
from flask_babel import gettext as _

from convsign.api import inputs
from convsign.api.bearer import caller
from convsign.api.blueprint import bp
from convsign.api.conventions import json_response
from convsign.api.slots import SHA256_HEX, own_authority, slot_of
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models.types import utcnow
from convsign.signing import token_signing

MAX_CERTIFICATES = 7
MAX_CERTIFICATE_BYTES = 16 * 1024


def _base64(value: Any, name: str, max_bytes: int) -> bytes:
    if not isinstance(value, str) or len(value) > 2 * max_bytes:
        raise ValidationFailed(_("« %(name)s » : base64 attendu.", name=name), name)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationFailed(_("« %(name)s » : base64 attendu.", name=name), name) from error


@bp.post("/conventions/<int:convention_id>/signatories/<int:slot_id>/token-signature/preparation")
def prepare_token_signature(convention_id: int, slot_id: int) -> Response:
    """Check the rules and the certificate; answer the digest the token must sign."""
    own_authority(slot_of(convention_id, slot_id))
    data = inputs.json_body()
    seen = inputs.text(data, "seen_sha256", max_length=64)
    if not SHA256_HEX.match(seen):
        raise ValidationFailed(
            _("« seen_sha256 » : l'empreinte SHA-256 (64 caractères hexadécimaux) du document lu."), "seen_sha256"
        )
    certificates = data.get("certificates")
    if not isinstance(certificates, list) or not 1 <= len(certificates) <= MAX_CERTIFICATES:
        raise ValidationFailed(_("« certificates » : la liste des certificats (base64 DER), le vôtre en premier."),
                               "certificates")
    chain = [_base64(item, "certificates", MAX_CERTIFICATE_BYTES) for item in certificates]
    prepared = token_signing.prepare(slot_id, caller(), seen, chain, utcnow())
    db.session.commit()
    return json_response(
        {
            "preparation": prepared.token,
            "digest": base64.b64encode(prepared.digest).decode(),
            "digest_algorithm": "sha256",
            "signature_algorithm": prepared.algorithm,
            "expires_at": prepared.expires_at.isoformat(),
            "revocation_checked": prepared.revocation_checked,
        },
        201,
    )


@bp.post("/conventions/<int:convention_id>/signatories/<int:slot_id>/token-signature")
def finish_token_signature(convention_id: int, slot_id: int) -> Response:
    """Embed the token's signature value: the new revision, or 409 when the document changed."""
    own_authority(slot_of(convention_id, slot_id))
    data = inputs.json_body()
    token = inputs.text(data, "preparation", max_length=100)
    value = _base64(data.get("signature"), "signature", 2048)
    revision = token_signing.finish(token, slot_id, caller(), value, utcnow())
    db.session.commit()
    return json_response({"revision": revision.number, "sha256": revision.sha256}, 201)
