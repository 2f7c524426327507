"""The instance's trust services: its PKI, timestamp authority, trust anchors and CRLs.

The PKI is created on first use and kept per process: in CONVSIGN_PKI_DIRECTORY when set (one
node), otherwise in the object store shared by every node (`convsign.trust.shared_pki`). Its CA keys are
encrypted under the instance secret. A production instance may point CONVSIGN_TSA_URL at a
qualified timestamp authority instead of the internal one.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography import x509
from flask import current_app
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper

from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import SigningKey, TrustedRoot
from convsign.models.types import utcnow
from convsign.pdf.signing import ValidationInputs
from convsign.pdf.validation import TrustSettings
from convsign.pki.authority import Pki, PkiSettings, ensure_pki
from convsign.pki.crl import RevokedCertificate, build_crl, build_root_crl
from convsign.pki.tsa import TimestampAuthority
from convsign.trust import shared_pki

_pkis: dict[str, Pki] = {}
_timestampers: dict[int, TimeStamper] = {}
_crls: dict[str, tuple[object, datetime, tuple[bytes, bytes]]] = {}
_lock = threading.Lock()
CRL_LIFETIME = timedelta(days=7)
CRL_REISSUE = timedelta(days=1)


def settings(directory: Path | None = None) -> PkiSettings:
    """The PKI settings of this instance (its files in `directory`, or the current PKI's)."""
    config = current_app.config
    return PkiSettings(
        directory=directory or pki_directory(),
        secret=str(config["SECRET_KEY"]).encode(),
        organisation=str(config["PKI_ORGANISATION"]),
        crl_url=crl_url(),
        tsa_key_size=int(config["PKI_TSA_KEY_SIZE"]),
    )


def pki_directory() -> Path:
    """Where the PKI's files are read: CONVSIGN_PKI_DIRECTORY, or this node's copy of the store's PKI."""
    configured = configured_pki_directory()
    if configured is not None:
        return configured
    objects, cache = documents.objects(), Path(current_app.instance_path) / "cache"
    generation = shared_pki.publish(objects, cache, _create_pki)
    return shared_pki.materialize(objects, generation, cache)


def _create_pki(folder: Path) -> None:
    """Generate a new PKI's files in `folder` (to be uploaded to the store)."""
    ensure_pki(settings(folder), utcnow())


def configured_pki_directory() -> Path | None:
    """CONVSIGN_PKI_DIRECTORY, when the PKI is kept in a folder rather than in the store."""
    configured = current_app.config.get("PKI_DIRECTORY")
    return Path(configured) if configured else None


def crl_url() -> str:
    """The stable address of the CRL named in every certificate."""
    base = current_app.config["EXTERNAL_URL"]
    return str(base).rstrip("/") + "/pki/crl"


def pki() -> Pki:
    """The instance's PKI, created on first use."""
    key = _pki_key()
    with _lock:
        if key not in _pkis:
            _pkis[key] = ensure_pki(settings(), utcnow())
        return _pkis[key]


def _pki_key() -> str:
    """Which PKI this app uses, without reading the store: its folder, or its store and cache."""
    configured = configured_pki_directory()
    if configured is not None:
        return str(configured)
    return f"{documents.objects().url} {current_app.instance_path}"


def timestamper() -> TimeStamper:
    """The timestamp authority used for signatures: in-process, or CONVSIGN_TSA_URL."""
    url = current_app.config.get("TSA_URL")
    if url:
        return HTTPTimeStamper(str(url))
    authority = pki()
    with _lock:  # one per PKI: pyHanko caches its size-estimation token per instance
        if id(authority) not in _timestampers:
            _timestampers[id(authority)] = TimestampAuthority(authority).timestamper()
        return _timestampers[id(authority)]


def trust_roots() -> tuple[x509.Certificate, ...]:
    """The internal root, plus the roots the administrator adds: on the administration page
    (stored in the database), or for a deployment, CONVSIGN_EXTRA_TRUST_ROOTS."""
    return (*pki().trust_roots(), *extra_trust_roots(), *added_trust_roots())


def added_trust_roots() -> tuple[x509.Certificate, ...]:
    """The roots added on the administration page."""
    ders = db.session.scalars(sa.select(TrustedRoot.certificate_der).order_by(TrustedRoot.id)).all()
    return tuple(x509.load_der_x509_certificate(der) for der in ders)


def extra_trust_roots() -> tuple[x509.Certificate, ...]:
    """The certificates of the PEM bundle named by CONVSIGN_EXTRA_TRUST_ROOTS (none when unset).

    A configured bundle that cannot be read stops validation loudly: trusting fewer roots than
    the administrator chose would call valid signatures untrusted without saying why.
    """
    configured = current_app.config.get("EXTRA_TRUST_ROOTS")
    if not configured:
        return ()
    return tuple(x509.load_pem_x509_certificates(Path(configured).read_bytes()))


def revoked_certificates() -> list[RevokedCertificate]:
    """Every revoked signer certificate of this instance."""
    rows = db.session.execute(sa.select(SigningKey.serial_hex, SigningKey.revoked_at, SigningKey.revocation_reason)
                              .where(SigningKey.revoked_at.is_not(None))).all()
    return [RevokedCertificate(int(serial, 16), revoked_at, _reason(reason)) for serial, revoked_at, reason in rows
            if revoked_at is not None]


def _reason(name: str | None) -> x509.ReasonFlags | None:
    """The CRL reason code stored by name (superseded, affiliationChanged, keyCompromise...)."""
    try:
        return x509.ReasonFlags(name) if name else None
    except ValueError:
        return None


def current_crls() -> tuple[bytes, bytes]:
    """The issuing CA's CRL and the root's CRL: signed again when a revocation changes the list,
    and at least daily, so that a CRL is never near its next update."""
    now = utcnow()
    authority = pki()
    revoked = revoked_certificates()
    key = (_pki_key(), tuple(sorted((r.serial, r.revoked_at) for r in revoked)))
    with _lock:
        cached = _crls.get(key[0])
        if cached is not None and cached[0] == key and now - cached[1] < CRL_REISSUE:
            return cached[2]
    crls = (build_crl(authority, revoked, now, now + CRL_LIFETIME), build_root_crl(authority, now, now + CRL_LIFETIME))
    with _lock:
        _crls[key[0]] = (key, now, crls)
    return crls


def validation_inputs() -> ValidationInputs:
    """Trust roots and CRLs to embed at completion (PAdES B-LTA)."""
    return ValidationInputs(trust_roots=trust_roots(), crls=current_crls())


def trust_settings() -> TrustSettings:
    """What validation trusts: the roots, and the current CRLs."""
    return TrustSettings(roots=trust_roots(), crls=current_crls(), seals=(pki().seal,))
