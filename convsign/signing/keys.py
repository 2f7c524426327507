"""Each signatory's key: generated on the server, certified by the internal CA, and encrypted
under a passphrase only its holder knows (Argon2id + AES-256-GCM, convsign.pki.keys).

The server cannot sign without the passphrase. Wrong passphrases are counted and lock the key
for a while; a forgotten passphrase means revocation and a new certificate.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import current_app
from flask_babel import gettext as _

from convsign.audit.services import record
from convsign.auth.passwords import verify_password
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.i18n import long_datetime
from convsign.models import Delegation, Mandate, SigningKey, User
from convsign.pki.certificates import SignerSubject, issue_signer_certificate
from convsign.pki.errors import WrongPassphrase
from convsign.pki.identity import SigningIdentity
from convsign.pki.keys import Argon2Params, change_passphrase, generate_signer_key, protect_key, unlock_key
from convsign.signing.errors import NoSigningKey, SigningKeyLocked, WrongSigningPassphrase
from convsign.trust import platform

MIN_PASSPHRASE_LENGTH = 12
CERTIFICATE_YEARS = 3


def kdf_params() -> Argon2Params:
    """The configured Argon2id cost of signing passphrases."""
    config = current_app.config
    return Argon2Params(memory_kib=int(config["PASSPHRASE_KDF_MEMORY_KIB"]),
                        time_cost=int(config["PASSPHRASE_KDF_PASSES"]), parallelism=1)


def check_passphrase_strength(user: User, passphrase: str) -> None:
    """Refuse short, monotonous passphrases, and the login password."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationFailed(_("La phrase secrète doit compter au moins %(n)s caractères.",
                                 n=MIN_PASSPHRASE_LENGTH), "passphrase")
    if len(set(passphrase.lower())) < 6:
        raise ValidationFailed(_("Cette phrase secrète est trop répétitive : variez les caractères."),
                               "passphrase")
    if verify_password(user.password_hash, passphrase):
        raise ValidationFailed(_("La phrase secrète de signature doit être différente de votre mot de passe "
                                 "de connexion."), "passphrase")


# What a key is tied to: the holder's mandate, or the delegation a deputy signs under.
KeyBasis = Mandate | Delegation


def _tied_to(basis: KeyBasis) -> sa.ColumnElement[bool]:
    if isinstance(basis, Delegation):
        return SigningKey.delegation_id == basis.id
    return SigningKey.mandate_id == basis.id


def active_key(user: User, mandate: KeyBasis, now: datetime) -> SigningKey | None:
    """The user's unrevoked, unexpired key for this mandate (or delegation)."""
    return db.session.scalars(sa.select(SigningKey).where(
        SigningKey.user_id == user.id, _tied_to(mandate), SigningKey.revoked_at.is_(None),
        SigningKey.not_after > now).order_by(SigningKey.id.desc())).first()


def create_key(user: User, mandate: KeyBasis, passphrase: str, now: datetime) -> SigningKey:
    """Generate a key pair, certify it for this person in this office, store it encrypted."""
    check_passphrase_strength(user, passphrase)
    private_key = generate_signer_key()
    certificate = issue_signer_certificate(platform.pki(), _subject(user, mandate), private_key.public_key(),
                                           now - timedelta(minutes=5), _not_after(mandate, now))
    key = SigningKey(user_id=user.id, key_blob=protect_key(private_key, passphrase, kdf_params()))
    if isinstance(mandate, Delegation):
        key.delegation_id = mandate.id
    else:
        key.mandate_id = mandate.id
    _set_certificate(key, certificate)
    db.session.add(key)
    db.session.flush()
    record("signing_key_created", actor=user, certificate_sha256=key.certificate_sha256,
           office=_office_title(mandate), serial=key.serial_hex)
    return key


def _office_title(basis: KeyBasis) -> str:
    """The office the certificate names: the holder's, or the deputy's own (« Premier adjoint… »)."""
    return basis.delegate_title if isinstance(basis, Delegation) else basis.office.title


def _subject(user: User, mandate: KeyBasis) -> SignerSubject:
    return SignerSubject(common_name=user.name, organisation=mandate.office.organisation.name,
                         office=_office_title(mandate), email=user.email)


def _not_after(mandate: KeyBasis, now: datetime) -> datetime:
    """The end of the mandate, when known, else three years; never past the issuing CA."""
    limit = now + timedelta(days=365 * CERTIFICATE_YEARS)
    if mandate.end_date is not None:
        limit = min(limit, datetime.combine(mandate.end_date, time(23, 59, 59), UTC))
    return min(limit, platform.pki().issuing.not_valid_after_utc - timedelta(minutes=1))


def _set_certificate(key: SigningKey, certificate: x509.Certificate) -> None:
    der = certificate.public_bytes(serialization.Encoding.DER)
    key.certificate_der = der
    key.certificate_sha256 = hashlib.sha256(der).hexdigest()
    key.serial_hex = format(certificate.serial_number, "x")
    key.not_before, key.not_after = certificate.not_valid_before_utc, certificate.not_valid_after_utc


def certificate(key: SigningKey) -> x509.Certificate:
    """The key's certificate."""
    return x509.load_der_x509_certificate(key.certificate_der)


def unlock(key: SigningKey, passphrase: str, now: datetime) -> SigningIdentity:
    """The usable identity, or WrongSigningPassphrase / SigningKeyLocked.

    The failed-attempt counter is changed in the session: the caller commits it even when the
    signature itself is abandoned (see `record_failed_attempt`).
    """
    if key.locked_until is not None and key.locked_until > now:
        raise SigningKeyLocked(_("Trop de phrases secrètes erronées : votre clé est bloquée jusqu'à %(time)s. "
                                 "Réessayez ensuite.", time=long_datetime(key.locked_until)))
    try:
        private_key = unlock_key(key.key_blob, passphrase)
    except WrongPassphrase as error:
        raise WrongSigningPassphrase(_("Phrase secrète de signature incorrecte. Rien n'a été signé.")) from error
    key.failed_attempts, key.locked_until = 0, None
    return SigningIdentity(private_key, certificate(key), platform.pki().signer_chain())


def record_failed_attempt(key_id: int, now: datetime) -> None:
    """Count a wrong passphrase (in its own transaction) and lock the key after too many."""
    key = db.session.get(SigningKey, key_id)
    if key is None:
        return
    key.failed_attempts += 1
    config = current_app.config
    locked = key.failed_attempts >= int(config["PASSPHRASE_MAX_ATTEMPTS"])
    if locked:
        key.locked_until = now + timedelta(minutes=int(config["PASSPHRASE_LOCKOUT_MINUTES"]))
        key.failed_attempts = 0
    record("signing_passphrase_wrong", actor=key.user, certificate_sha256=key.certificate_sha256, locked=locked)


def change_key_passphrase(key: SigningKey, old: str, new: str, now: datetime) -> None:
    """Re-encrypt the key under a new passphrase."""
    user = key.user
    check_passphrase_strength(user, new)
    unlock(key, old, now)
    key.key_blob = change_passphrase(key.key_blob, old, new, kdf_params())
    record("signing_passphrase_changed", actor=user, certificate_sha256=key.certificate_sha256)


def revoke_key(key: SigningKey, reason: str, actor: User | None, now: datetime) -> None:
    """Revoke the certificate: it appears on the next CRL; earlier timestamped signatures stay valid."""
    if key.revoked_at is not None:
        return
    key.revoked_at, key.revocation_reason = now, reason
    key.user.end_sessions()  # the holder's sessions end too (a compromise, an office left)
    record("signing_key_revoked", actor=actor, certificate_sha256=key.certificate_sha256, reason=reason,
           holder=key.user_id)


def require_key(user: User, mandate: KeyBasis, now: datetime) -> SigningKey:
    """The active key, or NoSigningKey."""
    key = active_key(user, mandate, now)
    if key is None:
        raise NoSigningKey()
    return key
