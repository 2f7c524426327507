"""The intercommunality's internal PKI: created on first start in the instance folder, then loaded.

Key types: the root and issuing CAs use ECDSA P-384 (instant key generation, compact
signatures, 192-bit strength for the longest-lived keys, accepted by Acrobat, NSS and ANSSI's
RGS); the platform seal uses ECDSA P-256 like the signers; the timestamp authority uses RSA
because pyHanko's `DummyTimeStamper`, which our TSA reuses, signs with RSA only.
"""

from __future__ import annotations

import fcntl
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from convsign.pki import builders, storage
from convsign.pki.errors import PkiMaterialInvalid
from convsign.pki.identity import SigningIdentity, SigningKey

ROLES = ("root", "issuing", "tsa", "seal")
_MANIFEST = "pki.json"
_LOCK = ".pki.lock"
_CLOCK_SKEW = timedelta(minutes=5)
_VALIDITY = {"root": 20, "issuing": 10, "tsa": 6, "seal": 3}  # years


@dataclass(frozen=True)
class PkiSettings:
    """Where the PKI lives, the secret its keys are sealed under, and what its certificates name."""

    directory: Path
    secret: bytes
    organisation: str
    crl_url: str
    country: str = "FR"
    root_crl_url: str | None = None
    tsa_key_size: int = 3072

    @property
    def root_crl_location(self) -> str:
        """URL of the root's CRL (it covers the issuing CA); defaults to `<crl_url>/root`."""
        return self.root_crl_url or self.crl_url.rstrip("/") + "/root"


@dataclass(frozen=True)
class Pki:
    """The loaded certificates; private keys are decrypted on demand, never kept in this object."""

    settings: PkiSettings
    root: x509.Certificate
    issuing: x509.Certificate
    tsa: x509.Certificate
    seal: x509.Certificate

    def _key(self, role: str) -> SigningKey:
        """Unseal and parse one role's private key."""
        blob = (self.settings.directory / f"{role}.key.sealed").read_bytes()
        der = storage.unseal(blob, self.settings.secret, role)
        # The blob is authenticated by AES-GCM, so RSA's slow consistency check adds nothing.
        key = serialization.load_der_private_key(
            der, password=None, unsafe_skip_rsa_key_validation=True
        )
        assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        return key

    def root_key(self) -> SigningKey:
        """The root CA key (signs the root CRL)."""
        return self._key("root")

    def issuing_key(self) -> SigningKey:
        """The issuing CA key (signs signer certificates and the main CRL)."""
        return self._key("issuing")

    def tsa_key(self) -> SigningKey:
        """The timestamp authority's RSA key."""
        return self._key("tsa")

    def seal_key(self) -> SigningKey:
        """The platform seal's key (certifies documents, seals evidence)."""
        return self._key("seal")

    def signer_chain(self) -> tuple[x509.Certificate, ...]:
        """Intermediates to embed with a signer certificate issued here (root excluded)."""
        return (self.issuing,)

    def trust_roots(self) -> tuple[x509.Certificate, ...]:
        """The anchors a validator must trust for this PKI's signatures."""
        return (self.root,)

    def seal_identity(self) -> SigningIdentity:
        """The platform seal as a ready-to-use signing identity."""
        return SigningIdentity(self.seal_key(), self.seal, self.signer_chain())


def ensure_pki(settings: PkiSettings, now: datetime) -> Pki:
    """Create the PKI on the first call, load it on later ones; safe against concurrent starts."""
    settings.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (settings.directory / _LOCK).open("a") as lock:
        # Held across check-and-create so two processes never make two different CAs.
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if not (settings.directory / _MANIFEST).exists():
            _create(settings, now)
        return _load(settings)


def _generate_key(settings: PkiSettings, role: str) -> SigningKey:
    """Key for `role`, of the type explained in the module docstring."""
    if role == "tsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=settings.tsa_key_size)
    curve = ec.SECP256R1() if role == "seal" else ec.SECP384R1()
    return ec.generate_private_key(curve)


def _common_name(role: str, instance_id: str) -> str:
    """French common names; the organisation is in O (a CN holding both would pass 64 bytes).

    `instance_id`, drawn when the PKI is created, makes every name unique to this instance: two
    instances of one organisation would otherwise issue CAs of identical names, and one that
    trusts the other's root would find two candidate issuers (or CRLs) of each name.
    """
    label = {
        "root": "AC racine",
        "issuing": "AC des signataires",
        "tsa": "Horodatage",
        "seal": "Cachet de la plateforme",
    }[role]
    return f"{label} convsign {instance_id}"


def new_instance_id() -> str:
    """Eight hexadecimal digits (32 random bits), e.g. "3F9A01C2"."""
    return secrets.token_hex(4).upper()


def _window(role: str, now: datetime) -> tuple[datetime, datetime]:
    """Validity of a role's certificate, starting a little early to absorb clock skew."""
    return now - _CLOCK_SKEW, now + timedelta(days=365 * _VALIDITY[role] + 5)


def _role_extensions(settings: PkiSettings, role: str) -> list[tuple[x509.ExtensionType, bool]]:
    """Extensions of the issued (non-root) roles."""
    if role == "issuing":
        return [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (builders.key_usage(ca=True), True),
            (builders.crl_distribution_point(settings.root_crl_location), False),
        ]
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (builders.key_usage(signing=True), True),
        (builders.crl_distribution_point(settings.crl_url), False),
    ]
    if role == "tsa":
        # RFC 3161 §2.3: the TSA certificate carries only timeStamping, marked critical.
        extensions.append((x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True))
    return extensions


def _issue_role(
    settings: PkiSettings,
    role: str,
    key: SigningKey,
    issuer: tuple[SigningKey, x509.Certificate],
    now: datetime,
    *,
    instance_id: str,
) -> x509.Certificate:
    """Certificate of the issuing CA, the TSA or the seal, signed by `issuer`."""
    name = builders.simple_name(_common_name(role, instance_id), settings.organisation, settings.country)
    issuer_key, issuer_cert = issuer
    builder = builders.base_builder(
        name, issuer_cert.subject, key.public_key(), *_window(role, now)
    )
    return builders.issue_certificate(issuer_key, builder, _role_extensions(settings, role))


def _create(settings: PkiSettings, now: datetime) -> None:
    """Generate every key and certificate, write them, then the manifest (the commit point)."""
    keys = {role: _generate_key(settings, role) for role in ROLES}
    instance_id = new_instance_id()
    root_name = builders.simple_name(_common_name("root", instance_id), settings.organisation, settings.country)
    certs = {"root": builders.issue_self_signed_ca(keys["root"], root_name, *_window("root", now))}
    certs["issuing"] = _issue_role(
        settings, "issuing", keys["issuing"], (keys["root"], certs["root"]), now, instance_id=instance_id
    )
    for role in ("tsa", "seal"):
        certs[role] = _issue_role(
            settings, role, keys[role], (keys["issuing"], certs["issuing"]), now, instance_id=instance_id
        )
    for role in ROLES:
        _write_role(settings, role, keys[role], certs[role])
    _write_manifest(settings, certs, now)


def _write_role(settings: PkiSettings, role: str, key: SigningKey, cert: x509.Certificate) -> None:
    """Write one role's certificate (PEM) and sealed private key, both 0600 like every file of the app."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    sealed = storage.seal(der, settings.secret, role)
    storage.write_atomic(settings.directory / f"{role}.key.sealed", sealed, 0o600)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    storage.write_atomic(settings.directory / f"{role}.crt.pem", pem, 0o600)


def _fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint, hex."""
    return cert.fingerprint(hashes.SHA256()).hex()


def _write_manifest(
    settings: PkiSettings, certs: dict[str, x509.Certificate], now: datetime
) -> None:
    """Record the fingerprints of the set written together, so a mixed set is detected on load."""
    manifest = {
        "version": 1,
        "created_at": now.isoformat(),
        "fingerprints": {role: _fingerprint(cert) for role, cert in certs.items()},
    }
    data = json.dumps(manifest, indent=2).encode()
    storage.write_atomic(settings.directory / _MANIFEST, data, 0o600)


def _read_cert(settings: PkiSettings, role: str, expected: str) -> x509.Certificate:
    """Read one role's certificate and check it is the one the manifest names."""
    try:
        cert = x509.load_pem_x509_certificate((settings.directory / f"{role}.crt.pem").read_bytes())
    except (OSError, ValueError) as exc:
        raise PkiMaterialInvalid(role=role, reason="unreadable_certificate") from exc
    if _fingerprint(cert) != expected:
        raise PkiMaterialInvalid(role=role, reason="fingerprint_mismatch")
    return cert


def _load(settings: PkiSettings) -> Pki:
    """Load the certificates and prove the secret opens the issuing key (cheap, fails early)."""
    manifest = json.loads((settings.directory / _MANIFEST).read_text())
    prints = manifest["fingerprints"]
    certs = {role: _read_cert(settings, role, prints[role]) for role in ROLES}
    pki = Pki(settings=settings, **certs)
    if pki.issuing_key().public_key() != pki.issuing.public_key():
        raise PkiMaterialInvalid(role="issuing", reason="key_does_not_match_certificate")
    return pki
