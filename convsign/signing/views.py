"""Signing pages: sign a slot (own key or own certificate file), manage one's key, the PKI's files."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response as BaseResponse

from convsign.conventions import circuit
from convsign.conventions.access import visible_convention
from convsign.documents import services as documents
from convsign.errors import ConvsignError, NotFound, ValidationFailed
from convsign.extensions import db, limiter
from convsign.faults import crash_point
from convsign.models import Signatory, SigningKey
from convsign.models.types import local_today, utcnow
from convsign.pdf.fields import list_signature_fields
from convsign.pdf.preview import render_page_png
from convsign.signing import keys, services
from convsign.signing.blueprint import bp
from convsign.signing.errors import DocumentChanged, NoSigningKey, SigningRefused, WrongSigningPassphrase
from convsign.signing.forms import (
    ChangePassphraseForm,
    CreateKeyForm,
    FirstSignForm,
    Pkcs12Form,
    RevokeKeyForm,
    SignForm,
)
from convsign.signing.own_certificate import MAX_PKCS12_BYTES
from convsign.view_actions import attempt, show_on_form


def _signing_limit() -> str:
    return str(current_app.config["SIGNING_RATE_LIMIT"])


def _person_and_address() -> str:
    """Rate-limit key of passphrase attempts: one person from one address (a shared NAT spares colleagues)."""
    return f"{current_user.get_id()}@{get_remote_address()}"


def _authority(slot: Signatory) -> services.Authority | None:
    """The current user's authority to sign `slot` (as holder or delegate), or None."""
    try:
        return services.signing_authority(slot, current_user)
    except SigningRefused:
        return None


def _slot_for_viewer(slot_id: int) -> Signatory:
    slot = services.get_slot(slot_id)
    visible_convention(current_user, slot.convention_id, local_today())
    return slot


PKCS12_PREFIX = "p12"  # the certificate-file form shares the page: its ids must differ from the passphrase form's


def _page(slot: Signatory, status: int = 200, **forms: Any) -> tuple[str, int]:
    """The signing page of `slot` for the current user, with whatever forms are in play."""
    convention = slot.convention
    slot_status = circuit.slot_status(slot, local_today(), circuit.open_stage(convention))
    authority = _authority(slot)
    is_mine = authority is not None
    key = keys.active_key(current_user, authority.basis, utcnow()) if authority else None
    forms.setdefault("sign_form", SignForm() if key else FirstSignForm())
    forms.setdefault("pkcs12_form", Pkcs12Form(prefix=PKCS12_PREFIX))
    forms["sign_form"].seen_sha256.data = convention.latest_sha256
    forms["pkcs12_form"].seen_sha256.data = convention.latest_sha256
    return render_template("signing/sign.html", slot=slot, convention=convention, slot_status=slot_status,
                           is_mine=is_mine, key=key, agent_port=int(current_app.config["AGENT_PORT"]),
                           place=_place(convention.latest_sha256, slot),
                           record_deliberation_url=_deliberation_url(slot, slot_status.code), **forms), status


def _deliberation_url(slot: Signatory, code: str) -> str | None:
    """Where the deliberation a blocked slot waits for is recorded (the party's page), when one is required."""
    if code != circuit.BLOCKED:
        return None
    party = next((p for p in slot.convention.parties if p.organisation_id == slot.office.organisation_id), None)
    return url_for("deliberations.party", party_id=party.id) if party and party.deliberation_required else None


_places: dict[tuple[str, str], tuple[int, tuple[float, ...]] | None] = {}


def _place(sha256: str | None, slot: Signatory) -> tuple[int, tuple[float, ...]] | None:
    """The page (0-based) and box of the slot's signature field in that revision, for the viewer to outline."""
    if not sha256:
        return None
    if (sha256, slot.field_name) not in _places:
        pdf = documents.latest_content(slot.convention)
        found = next((f for f in list_signature_fields(pdf) if f.name == slot.field_name), None)
        where = (found.page_index, tuple(found.box)) if found and found.page_index is not None and found.box else None
        if len(_places) > 1000:  # revisions are immutable; the bound only keeps a long-lived worker small
            _places.clear()
        _places[(sha256, slot.field_name)] = where
    return _places[(sha256, slot.field_name)]


def _has_key(slot: Signatory) -> bool:
    authority = _authority(slot)
    return authority is None or keys.active_key(current_user, authority.basis, utcnow()) is not None


@bp.get("/signer/<int:slot_id>")
@login_required
def sign_page(slot_id: int) -> tuple[str, int]:
    """The document, the slot's status, and how to sign it."""
    return _page(_slot_for_viewer(slot_id))


@bp.post("/signer/<int:slot_id>")
@limiter.limit(_signing_limit, key_func=_person_and_address)
@login_required
def sign(slot_id: int) -> BaseResponse | tuple[str, int]:
    """Sign with one's own key, unlocked by the signing passphrase; the first time, choose it and sign at once."""
    slot = _slot_for_viewer(slot_id)
    if not _has_key(slot):
        first = FirstSignForm()
        if not first.validate_on_submit():
            return _page(slot, 422, sign_form=first)
        return _attempt(slot, first, lambda: services.create_key_and_sign(
            slot.id, current_user, first.passphrase.data or "", first.seen_sha256.data or "", utcnow()))
    form = SignForm()
    if not form.validate_on_submit():
        return _page(slot, 422, sign_form=form)
    return _attempt(slot, form, lambda: services.sign_slot(
        slot.id, current_user, form.passphrase.data or "", form.seen_sha256.data or "", utcnow()))


@bp.post("/signer/<int:slot_id>/certificat")
@limiter.limit(_signing_limit, key_func=_person_and_address)
@login_required
def sign_with_certificate(slot_id: int) -> BaseResponse | tuple[str, int]:
    """Sign once with one's own .p12/.pfx certificate file (nothing of it is stored)."""
    slot = _slot_for_viewer(slot_id)
    form = Pkcs12Form(prefix=PKCS12_PREFIX)
    if not form.validate_on_submit():
        return _page(slot, 422, pkcs12_form=form)
    data = form.certificate.data.read(MAX_PKCS12_BYTES + 1)
    return _attempt(slot, form, lambda: services.sign_slot_with_pkcs12(
        slot.id, current_user, data, password=form.password.data or "", seen_sha256=form.seen_sha256.data or "",
        now=utcnow()),
        form_name="pkcs12_form")


def _attempt(slot: Signatory, form: Any, action: Any, form_name: str = "sign_form") -> BaseResponse | tuple[str, int]:
    """Run a signature; on failure keep what must be kept (a wrong passphrase's count), and say why on the page."""
    slot_id = slot.id

    def sign() -> Any:
        revision = action()
        crash_point("before_commit")
        return revision

    outcome = attempt(sign)
    if isinstance(outcome, ConvsignError):
        return _refused(slot_id, form, form_name, outcome)
    crash_point("after_commit")
    flash(_("Votre signature est apposée : c'est la révision %(n)s du document.", n=outcome.number), "success")
    return redirect(url_for("signing.sign_page", slot_id=slot_id, _anchor="signer"))


def _refused(slot_id: int, form: Any, form_name: str, error: ConvsignError) -> tuple[str, int]:
    """The signing page again, with the reason beside the field at fault, or above it."""
    if isinstance(error, WrongSigningPassphrase) and isinstance(form, SignForm):
        services.record_wrong_passphrase(slot_id, current_user, utcnow())
        db.session.commit()
        form.passphrase.errors = [error.message]
    elif isinstance(error, DocumentChanged):
        flash(error.message, "warning")
        return _page(services.get_slot(slot_id), error.status)
    elif isinstance(error, ValidationFailed):
        show_on_form(form, error, fallback="approve")
    else:
        flash(error.message, "error")
        return _page(services.get_slot(slot_id), error.status)
    return _page(services.get_slot(slot_id), error.status, **{form_name: form})


@bp.post("/signer/<int:slot_id>/cle")
@login_required
def create_key(slot_id: int) -> BaseResponse | tuple[str, int]:
    """Choose the signing passphrase: the server generates the key and its certificate."""
    slot = _slot_for_viewer(slot_id)
    form = CreateKeyForm()
    if not form.validate_on_submit():
        return _page(slot, 422, key_form=form)
    outcome = attempt(lambda: services.create_key_for_slot(slot, current_user, form.passphrase.data or "", utcnow()))
    if isinstance(outcome, ConvsignError):
        form.passphrase.errors = [outcome.message]
        return _page(slot, outcome.status, key_form=form)
    flash(_("Votre clé de signature est créée. Vous pouvez maintenant signer."), "success")
    return redirect(url_for("signing.sign_page", slot_id=slot.id, _anchor="signer"))


@bp.errorhandler(NoSigningKey)
def no_key(error: NoSigningKey) -> BaseResponse:
    """Should not happen through the page (it offers key creation first); answer plainly."""
    db.session.rollback()
    flash(error.message, "error")
    return redirect(request.referrer or url_for("home.index"))



def _own_key(key_id: int) -> SigningKey:
    key = db.session.get(SigningKey, key_id)
    if key is None or key.user_id != current_user.id:
        raise NotFound()
    return key


def _change_prefix(key_id: int) -> str:
    return f"cle{key_id}-changer"  # one pair of forms per key on one page: ids must differ


def _revoke_prefix(key_id: int) -> str:
    return f"cle{key_id}-revoquer"


def _keys_page(status: int = 200, **forms: Any) -> tuple[str, int]:
    my_keys = db.session.scalars(sa.select(SigningKey).where(SigningKey.user_id == current_user.id)
                                 .order_by(SigningKey.id.desc())).all()
    posted = forms.get("form_key_id")
    change_forms = {k.id: forms["change_form"] if posted == k.id and "change_form" in forms
                    else ChangePassphraseForm(prefix=_change_prefix(k.id), formdata=None) for k in my_keys}
    revoke_forms = {k.id: forms["revoke_form"] if posted == k.id and "revoke_form" in forms
                    else RevokeKeyForm(prefix=_revoke_prefix(k.id), formdata=None) for k in my_keys}
    return render_template("signing/keys.html", keys=my_keys, now=utcnow(), change_forms=change_forms,
                           revoke_forms=revoke_forms, form_key_id=posted), status


@bp.get("/signature/cles")
@login_required
def keys_page() -> tuple[str, int]:
    """One's signing keys and certificates: change the passphrase, or revoke."""
    return _keys_page()


@bp.post("/signature/cles/<int:key_id>/phrase")
@limiter.limit(_signing_limit, key_func=_person_and_address)
@login_required
def change_passphrase(key_id: int) -> BaseResponse | tuple[str, int]:
    """Re-encrypt one's key under a new passphrase."""
    key = _own_key(key_id)
    form = ChangePassphraseForm(prefix=_change_prefix(key_id))
    if not form.validate_on_submit():
        return _keys_page(422, change_form=form, form_key_id=key_id)
    try:
        keys.change_key_passphrase(key, form.current.data or "", form.passphrase.data or "", utcnow())
    except WrongSigningPassphrase as error:
        db.session.rollback()
        keys.record_failed_attempt(key_id, utcnow())
        db.session.commit()
        form.current.errors = [error.message]
        return _keys_page(error.status, change_form=form, form_key_id=key_id)
    except ConvsignError as error:
        db.session.rollback()
        field = form.passphrase if isinstance(error, ValidationFailed) else form.current
        field.errors = [error.message]
        return _keys_page(error.status, change_form=form, form_key_id=key_id)
    db.session.commit()
    flash(_("Votre phrase secrète de signature est changée."), "success")
    return redirect(url_for("signing.keys_page"))


@bp.post("/signature/cles/<int:key_id>/revoquer")
@login_required
def revoke(key_id: int) -> BaseResponse | tuple[str, int]:
    """Revoke one's certificate (a forgotten passphrase): a new key is made at the next signature."""
    key = _own_key(key_id)
    form = RevokeKeyForm(prefix=_revoke_prefix(key_id))
    if not form.validate_on_submit():
        return _keys_page(422, revoke_form=form, form_key_id=key_id)
    keys.revoke_key(key, "cessationOfOperation", current_user, utcnow())
    db.session.commit()
    login_user(current_user._get_current_object())  # the revocation ended the other sessions; this one goes on
    flash(_("Votre certificat est révoqué. Les signatures déjà apposées restent valides ; à votre prochaine "
            "signature, vous choisirez une nouvelle phrase secrète."), "success")
    return redirect(url_for("signing.keys_page"))


@bp.get("/signer/<int:slot_id>/case.png")
@login_required
def field_preview(slot_id: int) -> Response:
    """The bordereau page of the latest revision with this slot's signature box outlined."""
    slot = _slot_for_viewer(slot_id)
    convention = slot.convention
    if not convention.latest_sha256:
        raise NotFound()
    cache = Path(current_app.instance_path) / "cache" / "previews" / f"{convention.latest_sha256}-{slot.id}.png"
    if not cache.exists():
        pdf = documents.latest_content(convention)
        found = next((f for f in list_signature_fields(pdf) if f.name == slot.field_name), None)
        if found is None or found.page_index is None:
            raise NotFound()
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(render_page_png(pdf, found.page_index, highlight=found.box))
        tmp.replace(cache)
    response = Response(cache.read_bytes(), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
