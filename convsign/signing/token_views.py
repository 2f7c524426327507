"""The signing page's calls for a signature with one's card or USB key: prepare and finish, in JSON,
from the page's script (static/js/token-signing.js), which has the local agent sign in between."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import sqlalchemy as sa
from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from convsign.errors import ConvsignError
from convsign.extensions import db, limiter
from convsign.models import CertificateFingerprint
from convsign.models.types import utcnow
from convsign.signing import fingerprints, token_signing
from convsign.signing.blueprint import bp
from convsign.signing.token_forms import OwnFingerprintForm
from convsign.signing.views import _person_and_address, _signing_limit, _slot_for_viewer
from convsign.view_actions import attempt, show_on_form

MAX_CERTIFICATES = 7


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _refusal(error: ConvsignError) -> tuple[Response, int]:
    return jsonify({"detail": error.message}), error.status


def _bad(message: str) -> tuple[Response, int]:
    return jsonify({"detail": message}), 400


def _decode(value: Any) -> bytes | None:
    if not isinstance(value, str) or len(value) > 64 * 1024:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


@bp.post("/signer/<int:slot_id>/carte/preparation")
@limiter.limit(_signing_limit, key_func=_person_and_address)
@login_required
def token_prepare(slot_id: int) -> tuple[Response, int]:
    """Check the rules and the certificate chain sent by the agent; answer the digest to sign."""
    slot = _slot_for_viewer(slot_id)
    data = _body()
    seen = data.get("seen_sha256")
    items = data.get("certificates")
    if data.get("approve") is not True:
        return _bad(_("Cochez la case d'approbation pour signer."))
    if not isinstance(seen, str) or not isinstance(items, list) or not 1 <= len(items) <= MAX_CERTIFICATES:
        return _bad(_("Demande de signature incomplète."))
    chain = [_decode(item) for item in items]
    if any(der is None for der in chain):
        return _bad(_("Demande de signature incomplète."))
    outcome = attempt(lambda: token_signing.prepare(slot.id, current_user, seen, [d for d in chain if d], utcnow()))
    if isinstance(outcome, ConvsignError):
        return _refusal(outcome)
    return jsonify({"preparation": outcome.token, "digest": base64.b64encode(outcome.digest).decode(),
                    "signature_algorithm": outcome.algorithm, "revocation_checked": outcome.revocation_checked}), 201


@bp.post("/signer/<int:slot_id>/carte/signature")
@limiter.limit(_signing_limit, key_func=_person_and_address)
@login_required
def token_finish(slot_id: int) -> tuple[Response, int]:
    """Embed the signature value the card made; answer the new revision, or 409 to prepare again."""
    slot = _slot_for_viewer(slot_id)
    data = _body()
    preparation, value = data.get("preparation"), _decode(data.get("signature"))
    if not isinstance(preparation, str) or value is None:
        return _bad(_("Demande de signature incomplète."))
    outcome = attempt(lambda: token_signing.finish(preparation, slot.id, current_user, value, utcnow()))
    if isinstance(outcome, ConvsignError):
        return _refusal(outcome)
    return jsonify({"revision": outcome.number, "sha256": outcome.sha256,
                    "next": url_for("signing.sign_page", slot_id=slot.id)}), 201


def _certificates_page(form: OwnFingerprintForm, status: int = 200) -> tuple[str, int]:
    registered = db.session.scalars(sa.select(CertificateFingerprint)
                                    .where(CertificateFingerprint.user_id == current_user.id)
                                    .order_by(CertificateFingerprint.created_at)).all()
    return render_template("signing/certificates.html", form=form, registered=registered), status


@bp.route("/signature/certificats", methods=["GET", "POST"])
@limiter.limit(_signing_limit, key_func=_person_and_address, methods=["POST"])
@login_required
def certificates_page() -> BaseResponse | tuple[str, int]:
    """One's own certificates registered by fingerprint (for a card whose certificate does not carry the
    account's e-mail address); registering one asks for the password."""
    form = OwnFingerprintForm()
    if form.validate_on_submit():
        result = attempt(lambda: fingerprints.register_own(current_user, form.fingerprint.data or "",
                                                           form.password.data or "", utcnow()))
        if not isinstance(result, ConvsignError):
            flash(_("Ce certificat est enregistré comme le vôtre."), "success")
            return redirect(url_for("signing.certificates_page"))
        show_on_form(form, result, "fingerprint")
        return _certificates_page(form, result.status)
    return _certificates_page(form, 422 if form.errors else 200)
