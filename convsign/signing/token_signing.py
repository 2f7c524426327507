"""Signing a slot with the person's own certificate on a token (PKCS#11), in two requests.

*prepare*: every signing rule, the seen hash, the certificate (trusted chain, key usage,
validity, belongs to the person, revocation); the revision is built with a placeholder and the
CMS signed attributes; their digest goes to the token. The state is stored, bound to the
person, the slot and the revision, for ten minutes.

*finish*: the token's raw signature value completes the CMS with its signature timestamp
(B-T); under the convention's lock, in the caller's transaction, the new revision is
validated, stored and audited like any other signature; a signature that landed since
prepare makes it a 409 and the client prepares again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask_babel import gettext as _

from convsign import events
from convsign.audit.services import record
from convsign.documents import services as documents
from convsign.errors import Conflict, NotFound
from convsign.extensions import db
from convsign.models import (
    CertificateFingerprint,
    DocumentRevision,
    PreparedSignature,
    RevisionKind,
    RevocationMaterial,
    SlotState,
    User,
)
from convsign.pdf import interrupted
from convsign.pdf.signing import PdfSigningError
from convsign.pdf.validation import TrustSettings, validate_last_signature
from convsign.pki import external
from convsign.signing import delegations, revocation
from convsign.signing.errors import DocumentChanged, SigningRefused
from convsign.signing.services import (
    SIGNATURE_REASON,
    _check_seen,
    after_signature,
    ensure_may_sign,
    get_slot,
    stamp_lines,
    verdict_json,
)
from convsign.trust import platform

LIFETIME = timedelta(minutes=10)
REVOCATION_UNCHECKED = "révocation non vérifiée"
REVOCATION_CHECKED = "révocation vérifiée"


@dataclass(frozen=True)
class Prepared:
    """What the client needs to have the token sign."""

    token: str
    digest: bytes
    algorithm: str
    expires_at: datetime
    revocation_checked: bool


def pack(items: Iterable[bytes]) -> bytes:
    """Length-prefixed concatenation (4 bytes big-endian each)."""
    return b"".join(len(item).to_bytes(4, "big") + item for item in items)


def unpack(data: bytes) -> list[bytes]:
    """The items of `pack`."""
    items, at = [], 0
    while at < len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        items.append(data[at + 4:at + 4 + size])
        at += 4 + size
    return items


def certificate_refusal(error: external.ExternalCertificateError) -> SigningRefused:
    """The French reason for a refused certificate."""
    messages = {
        "external_malformed": _("La chaîne de certificats envoyée n'est pas lisible (certificats X.509 au format "
                                "DER attendus, le vôtre en premier)."),
        "external_untrusted": _("Ce certificat n'est pas émis par une autorité reconnue par cette plateforme. "
                                "Demandez à l'administrateur d'ajouter son autorité racine."),
        "external_not_valid_now": _("Ce certificat (ou celui de son autorité) n'est pas valide aujourd'hui : "
                                    "expiré ou pas encore valide."),
        "external_key_usage": _("Ce certificat n'est pas un certificat de signature (usage « signature "
                                "numérique » ou « non-répudiation » absent)."),
        "external_unsupported_key": _("Le type de clé de ce certificat n'est pas pris en charge (RSA de 2048 bits "
                                      "au moins, ou ECDSA, attendu)."),
    }
    return SigningRefused(messages.get(error.code, _("Ce certificat ne peut pas être utilisé.")))


def fingerprint(cert: x509.Certificate) -> str:
    """The certificate's SHA-256, in lower-case hexadecimal."""
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def belongs_to(cert: x509.Certificate, user: User) -> bool:
    """The certificate names the account's e-mail, or its fingerprint is registered to the person."""
    if user.email.lower() in external.emails(cert):
        return True
    return db.session.scalar(sa.select(CertificateFingerprint.id).where(
        CertificateFingerprint.user_id == user.id, CertificateFingerprint.sha256 == fingerprint(cert))) is not None


def checked_path(chain_ders: Sequence[bytes], user: User, now: datetime) -> list[x509.Certificate]:
    """The certificate's path to a trusted root, once every check passed; SigningRefused otherwise."""
    try:
        chain = external.parse_chain(chain_ders)
        path = external.trusted_path(chain, platform.trust_roots(), now)
    except external.ExternalCertificateError as error:
        raise certificate_refusal(error) from error
    if not belongs_to(path[0], user):
        raise SigningRefused(_("Ce certificat n'est pas le vôtre : il ne porte pas l'adresse électronique de votre "
                               "compte et son empreinte n'est pas enregistrée sur votre profil."))
    return path


def prepare(slot_id: int, user: User, seen_sha256: str, chain_ders: Sequence[bytes], now: datetime) -> Prepared:
    """Check everything and prepare the slot's signature with the person's certificate."""
    slot = get_slot(slot_id)
    authority = ensure_may_sign(slot, user)
    _check_seen(slot.convention, seen_sha256)
    path = checked_path(chain_ders, user, now)
    outcome = revocation.check_path(path, now)
    if outcome.revoked_subject is not None:
        raise SigningRefused(_("Ce certificat a été révoqué par son autorité : il ne peut plus signer."))
    try:
        field = interrupted.prepare_field(
            documents.latest_content(slot.convention), slot.field_name, path, platform.timestamper(),
            signing_time=now, reason=SIGNATURE_REASON + (authority.reason_suffix or ""),
            location=slot.office.organisation.name, signer_name=user.name,
            stamp_lines=stamp_lines(user, slot, authority, now))
    except PdfSigningError as error:
        raise SigningRefused(_("Le document ne peut pas être préparé pour cette signature.")) from error
    state = PreparedSignature(
        token=secrets.token_urlsafe(32), user_id=user.id, slot_id=slot.id, revision_sha256=seen_sha256,
        tbs_pdf=field.tbs_pdf, reserved_start=field.reserved_start, reserved_end=field.reserved_end,
        document_digest=field.document_digest, signed_attrs=field.signed_attrs,
        chain_der=pack(c.public_bytes(Encoding.DER) for c in path), certificate_sha256=fingerprint(path[0]),
        crls_der=pack(outcome.crls), ocsps_der=pack(outcome.ocsps), revocation_checked=outcome.checked,
        created_at=now, expires_at=now + LIFETIME)
    db.session.execute(sa.delete(PreparedSignature).where(PreparedSignature.expires_at < now))  # stale ones
    db.session.add(state)
    db.session.flush()
    return Prepared(state.token, field.digest_to_sign, field.algorithm, state.expires_at, outcome.checked)


def _state(token: str, slot_id: int, user: User, now: datetime) -> PreparedSignature:
    state = db.session.scalar(sa.select(PreparedSignature).where(PreparedSignature.token == token))
    if state is None or state.user_id != user.id or state.slot_id != slot_id:
        raise NotFound()
    if state.used_at is not None:
        raise Conflict(_("Cette préparation a déjà servi à une signature : préparez-en une nouvelle."))
    if state.expires_at < now:
        raise SigningRefused(_("La préparation de cette signature a expiré (10 minutes) : recommencez."))
    return state


def finish(token: str, slot_id: int, user: User, signature_value: bytes, now: datetime) -> DocumentRevision:
    """Complete the prepared signature of `slot_id` with the token's value, under the convention's lock."""
    state = _state(token, slot_id, user, now)
    convention = documents.lock_convention(state.slot.convention_id)
    state = _state(token, slot_id, user, now)  # another finish of the same state may have won the lock
    slot = get_slot(state.slot_id)
    authority = ensure_may_sign(slot, user)
    if convention.latest_sha256 != state.revision_sha256:
        raise DocumentChanged()
    path = [x509.load_der_x509_certificate(der) for der in unpack(state.chain_der)]
    try:
        external.check_leaf(path[0], now)  # still valid when it signs, minutes after prepare
    except external.ExternalCertificateError as error:
        raise certificate_refusal(error) from error
    field = interrupted.PreparedField(state.tbs_pdf, state.reserved_start, state.reserved_end,
                                      state.document_digest, state.signed_attrs, interrupted.algorithm_of(path[0]))
    try:
        signed = interrupted.finish_field(field, path, signature_value, platform.timestamper())
    except interrupted.BadSignatureValue as error:
        raise SigningRefused(_("La signature reçue ne correspond pas au document préparé ni au certificat choisi : "
                               "recommencez.")) from error
    except PdfSigningError as error:
        raise SigningRefused(_("La signature n'a pas pu être apposée sur le document.")) from error
    crls, ocsps = unpack(state.crls_der), unpack(state.ocsps_der)
    trust = TrustSettings(roots=platform.trust_roots(), crls=(*platform.current_crls(), *crls))
    verdict = validate_last_signature(signed, trust)
    if not verdict.intact:
        raise SigningRefused(_("La signature apposée ne se vérifie pas : elle n'a pas été enregistrée."))
    before = convention.latest_sha256
    revision = documents.add_revision(convention, signed, RevisionKind.SIGNATURE, slot, verdict_json(verdict))
    slot.state, slot.signed_at, slot.signed_by_id = SlotState.SIGNED, now, user.id
    slot.signed_revision = revision.number
    slot.certificate_sha256 = state.certificate_sha256
    state.used_at = now
    for kind, items in (("crl", crls), ("ocsp", ocsps)):
        db.session.add_all(RevocationMaterial(convention_id=convention.id, kind=kind, der=der, created_at=now)
                           for der in items)
    entry = record("signature_created", actor=user, role="signataire", convention_id=convention.id, slot_id=slot.id,
                   sha256_before=before, sha256_after=revision.sha256, certificate_sha256=state.certificate_sha256,
                   office=slot.office.title, intact=verdict.intact, trusted=verdict.trusted,
                   certificate="personnel (carte ou clé USB)",
                   revocation=REVOCATION_CHECKED if state.revocation_checked else REVOCATION_UNCHECKED,
                   **delegations.audit_details(authority.delegation))
    events.signature_created.send(convention, slot=slot, revision=revision, entry=entry)
    after_signature(convention, now)
    return revision

