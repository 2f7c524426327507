"""Signing one slot, and completing the document when the last slot is signed.

The passphrase is checked (slow on purpose) before the convention is locked; under the lock the
service checks that the revision the signatory saw is still the latest and that the rules still
allow the signature, signs, validates the new revision, stores it and records the audit entry,
all in the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives.serialization import Encoding
from flask_babel import force_locale
from flask_babel import gettext as _

from convsign import events
from convsign.audit.services import record
from convsign.conventions import circuit
from convsign.conventions.services import invite_open_stage
from convsign.documents import services as documents
from convsign.errors import NotFound, ValidationFailed
from convsign.extensions import db
from convsign.faults import crash_point
from convsign.i18n import long_datetime
from convsign.models import (
    Convention,
    ConventionStatus,
    Delegation,
    DocumentRevision,
    Mandate,
    RevisionKind,
    RevocationMaterial,
    Signatory,
    SigningKey,
    SlotState,
    User,
)
from convsign.models.types import local_today
from convsign.pdf.signing import ValidationInputs, complete_to_lta, sign_field
from convsign.pdf.validation import SignatureReport, validate_last_signature
from convsign.pki.identity import SigningIdentity
from convsign.signing import delegations, keys, own_certificate
from convsign.signing.errors import DocumentChanged, SigningRefused
from convsign.trust import platform

SIGNATURE_REASON = "Approbation de la convention"


@dataclasses.dataclass(frozen=True)
class Authority:
    """On what authority a person signs a slot: their own mandate, or a delegation of the office."""

    mandate: Mandate | None
    stamp_prefix: str | None = None
    reason_suffix: str | None = None
    delegation: Delegation | None = None

    @property
    def basis(self) -> Mandate | Delegation:
        """What the signing key is tied to: the mandate, or the delegation."""
        basis = self.mandate or self.delegation
        assert basis is not None
        return basis


def get_slot(slot_id: int) -> Signatory:
    """The slot, or NotFound."""
    slot = db.session.get(Signatory, slot_id)
    if slot is None:
        raise NotFound()
    return slot


def signing_authority(slot: Signatory, user: User) -> Authority:
    """The mandate by which `user` may sign `slot` today, or SigningRefused."""
    mandate = slot.office.holder_on(local_today())
    if mandate is None or mandate.user_id != user.id:
        delegation = delegations.delegation_for(slot.office, user, local_today())
        if delegation is not None:
            return Authority(None, delegations.stamp_prefix(slot.office), delegations.reason_suffix(delegation),
                             delegation)
        raise SigningRefused(_("Ce signataire n'est pas le vôtre : seule la personne qui exerce la fonction "
                               "« %(office)s » peut signer ici.", office=slot.office.title))
    return Authority(mandate)


def create_key_for_slot(slot: Signatory, user: User, passphrase: str, now: datetime) -> SigningKey:
    """The signing key of `user` for the office (or delegation) by which they sign `slot`: one per office."""
    authority = signing_authority(slot, user)
    if keys.active_key(user, authority.basis, now) is not None:
        raise ValidationFailed(_("Vous avez déjà une clé de signature pour cette fonction."), "passphrase")
    return keys.create_key(user, authority.basis, passphrase, now)


def record_wrong_passphrase(slot_id: int, user: User, now: datetime) -> None:
    """Count a wrong passphrase against the key `user` signs `slot_id` with.

    The caller has rolled back the failed signature, and commits this alone, so that no rollback
    erases the count that locks the key after too many attempts.
    """
    try:
        authority = signing_authority(get_slot(slot_id), user)
    except SigningRefused:
        return
    key = keys.active_key(user, authority.basis, now)
    if key is not None:
        keys.record_failed_attempt(key.id, now)


def ensure_may_sign(slot: Signatory, user: User) -> Authority:
    """Check every rule; return the authority to sign, or raise SigningRefused with the reason."""
    authority = signing_authority(slot, user)
    status = circuit.slot_status(slot, local_today(), circuit.open_stage(slot.convention))
    if status.code == circuit.SIGNED:
        raise SigningRefused(_("Ce document est déjà signé pour « %(office)s ».", office=slot.office.title))
    if slot.convention.status != ConventionStatus.CIRCULATING:
        raise SigningRefused(_("Cette convention n'est pas en circulation : elle ne peut pas être signée."))
    if status.code == circuit.WAITING:
        raise SigningRefused(_("Votre tour n'est pas encore venu : une étape précédente du circuit n'est pas "
                               "terminée."))
    if status.code == circuit.REFUSED:  # its reason is the refusal's motive, not a sentence about signing
        raise SigningRefused(_("La signature a été refusée pour « %(office)s » (motif : « %(reason)s ») : elle "
                               "ne peut plus être donnée.", office=slot.office.title, reason=status.reason))
    if status.code != circuit.TO_SIGN:
        raise SigningRefused(status.reason or _("Ce signataire ne peut pas signer pour le moment."))
    return authority


def sign_slot(slot_id: int, user: User, passphrase: str, seen_sha256: str, now: datetime) -> DocumentRevision:
    """Apply `user`'s PAdES signature, made with their own key, to the slot's field of the latest revision.

    The key is unlocked (Argon2id, slow on purpose) under the convention's lock, after the seen
    hash is checked: when many signatories sign at once, those whose page went stale are told
    so at once and spend nothing, instead of each deriving their key before learning it.
    """
    slot = get_slot(slot_id)
    authority = ensure_may_sign(slot, user)
    _check_seen(slot.convention, seen_sha256)
    key = keys.require_key(user, authority.basis, now)
    return _sign_under_lock(slot, user, lambda: keys.unlock(key, passphrase, now), seen_sha256, now)


def create_key_and_sign(slot_id: int, user: User, passphrase: str, seen_sha256: str,
                        now: datetime) -> DocumentRevision:
    """A first signature in one step: create the key under the chosen passphrase, then sign with it.

    Both happen in the caller's one transaction: a refused signature leaves no key behind, and the
    signatory simply tries again with the same form.
    """
    slot = get_slot(slot_id)
    ensure_may_sign(slot, user)
    _check_seen(slot.convention, seen_sha256)
    create_key_for_slot(slot, user, passphrase, now)
    return sign_slot(slot_id, user, passphrase, seen_sha256, now)


def sign_slot_with_pkcs12(slot_id: int, user: User, pkcs12: bytes, *, password: str, seen_sha256: str,
                          now: datetime) -> DocumentRevision:
    """The same with the signatory's own certificate file, used once and never stored."""
    slot = get_slot(slot_id)
    ensure_may_sign(slot, user)
    _check_seen(slot.convention, seen_sha256)
    identity = own_certificate.load(pkcs12, password, now)
    return _sign_under_lock(slot, user, lambda: identity, seen_sha256, now)


def _check_seen(convention: Convention, seen_sha256: str) -> None:
    """Someone signed since the signatory loaded the page: they must see the new revision first."""
    if convention.latest_sha256 != seen_sha256:
        raise DocumentChanged()


def _sign_under_lock(slot: Signatory, user: User, identity: Callable[[], SigningIdentity], seen_sha256: str,
                     now: datetime) -> DocumentRevision:
    convention = documents.lock_convention(slot.convention_id)
    slot = get_slot(slot.id)
    authority = ensure_may_sign(slot, user)  # first: a second click finds the slot already signed
    _check_seen(convention, seen_sha256)
    unlocked = identity()
    revision = _apply_signature(convention, slot, user=user, identity=unlocked, authority=authority, now=now)
    slot.certificate_sha256 = hashlib.sha256(unlocked.certificate.public_bytes(Encoding.DER)).hexdigest()
    after_signature(convention, now)
    return revision


def _apply_signature(convention: Convention, slot: Signatory, *, user: User, identity: SigningIdentity,
                     authority: Authority, now: datetime) -> DocumentRevision:
    before = convention.latest_sha256
    signed = sign_field(
        documents.latest_content(convention), slot.field_name, identity, platform.timestamper(),
        reason=SIGNATURE_REASON + (authority.reason_suffix or ""), location=slot.office.organisation.name,
        signer_name=user.name, stamp_lines=stamp_lines(user, slot, authority, now))
    crash_point("signed_in_memory")
    verdict = validate_last_signature(signed, platform.trust_settings())
    revision = documents.add_revision(convention, signed, RevisionKind.SIGNATURE, slot, verdict_json(verdict))
    slot.state, slot.signed_at, slot.signed_by_id = SlotState.SIGNED, now, user.id
    slot.signed_revision = revision.number
    entry = record("signature_created", actor=user, role="signataire", convention_id=convention.id, slot_id=slot.id,
                   sha256_before=before, sha256_after=revision.sha256, office=slot.office.title,
                   intact=verdict.intact, trusted=verdict.trusted, **delegations.audit_details(authority.delegation))
    events.signature_created.send(convention, slot=slot, revision=revision, entry=entry)
    return revision


def stamp_lines(user: User, slot: Signatory, authority: Authority, now: datetime) -> list[str]:
    """The visible stamp, in French: who, in what office, for whom, when (server clock)."""
    with force_locale("fr"):
        when = long_datetime(now, "fr")
    if authority.delegation is not None:  # « Pour le maire et par délégation, <nom>, <qualité> »
        return ["Signé électroniquement", f"{authority.stamp_prefix},", f"{user.name},",
                authority.delegation.delegate_title, slot.office.organisation.name, f"le {when}"]
    lines = ["Signé électroniquement par"]
    if authority.stamp_prefix:
        lines.append(authority.stamp_prefix)
    return [*lines, user.name, slot.office.title, slot.office.organisation.name, f"le {when}"]


def verdict_json(report: SignatureReport) -> str:
    """A stored verdict: the validation report of the newest signature."""
    return json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False, sort_keys=True)


def after_signature(convention: Convention, now: datetime) -> None:
    """Open the next stage, or complete the document when every slot is signed."""
    if all(s.state == SlotState.SIGNED for s in convention.signatories):
        complete_convention(convention, now)
    else:
        invite_open_stage(convention, now)


def completion_inputs(convention_id: int) -> ValidationInputs:
    """The platform's roots and CRLs, plus the revocation data fetched for signatures made with
    a person's own certificate (convsign.signing.token_signing)."""
    inputs = platform.validation_inputs()
    rows = db.session.execute(sa.select(RevocationMaterial.kind, RevocationMaterial.der)
                              .where(RevocationMaterial.convention_id == convention_id)
                              .order_by(RevocationMaterial.id)).all()
    crls = tuple(der for kind, der in rows if kind == "crl")
    ocsps = tuple(der for kind, der in rows if kind == "ocsp")
    return dataclasses.replace(inputs, crls=(*inputs.crls, *crls), ocsps=(*inputs.ocsps, *ocsps))


def complete_convention(convention: Convention, now: datetime) -> DocumentRevision:
    """Embed the validation material and a document timestamp (PAdES B-LTA, once), mark it signed."""
    before = convention.latest_sha256
    final = complete_to_lta(documents.latest_content(convention), platform.timestamper(),
                            completion_inputs(convention.id))
    revision = documents.add_revision(convention, final, RevisionKind.COMPLETION)
    convention.status, convention.completed_at = ConventionStatus.SIGNED, now
    entry = record("convention_completed", convention_id=convention.id, sha256_before=before,
                   sha256_after=revision.sha256)
    events.convention_completed.send(convention, revision=revision, entry=entry)
    return revision
