"""The token: certificates it holds, and signing a digest with the matching private key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pkcs11 import Attribute, Mechanism, ObjectClass
from pkcs11 import exceptions as pkcs11_errors

# DigestInfo prefix of SHA-256 (RFC 8017, 9.2 note 1): RSA PKCS#1 v1.5 signs prefix + digest.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class TokenError(Exception):
    """A failure on the token, with a French message for the signatory."""


@dataclass(frozen=True)
class TokenCertificate:
    """A certificate on the token: its label, its PKCS#11 id, its DER."""

    label: str
    object_id: str
    der: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)

    @property
    def is_ca(self) -> bool:
        try:
            return bool(self.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
        except x509.ExtensionNotFound:
            return False

    def describe(self) -> dict[str, Any]:
        cert = self.certificate
        return {"id": self.object_id, "label": self.label, "sha256": hashlib.sha256(self.der).hexdigest(),
                "subject": cert.subject.rfc4514_string(),
                "issuer": cert.issuer.rfc4514_string(), "not_after": cert.not_valid_after_utc.isoformat()}


def _token(module: str, token_label: str | None) -> Any:
    try:
        lib = pkcs11.lib(module)
    except (OSError, RuntimeError, pkcs11_errors.PKCS11Error) as exc:
        raise TokenError(f"Le module PKCS#11 « {module} » ne peut pas être chargé.") from exc
    try:
        if token_label:
            return lib.get_token(token_label=token_label)
        tokens = list(lib.get_tokens())
    except pkcs11_errors.NoSuchToken as exc:
        raise TokenError(f"Aucune carte ni clé USB nommée « {token_label} » n'est branchée.") from exc
    except pkcs11_errors.PKCS11Error as exc:
        raise TokenError("La carte ou la clé USB ne répond pas.") from exc
    if len(tokens) != 1:
        raise TokenError("Branchez une seule carte ou clé USB, ou nommez-la (--token-label).")
    return tokens[0]


def list_certificates(module: str, token_label: str | None) -> list[TokenCertificate]:
    """The certificates on the token (public objects: no PIN needed)."""
    token = _token(module, token_label)
    try:
        with token.open() as session:
            return [TokenCertificate(str(obj[Attribute.LABEL]), bytes(obj[Attribute.ID]).hex(),
                                     bytes(obj[Attribute.VALUE]))
                    for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})]
    except pkcs11_errors.PKCS11Error as exc:
        raise TokenError("Les certificats de la carte ne peuvent pas être lus.") from exc


def choose(certificates: list[TokenCertificate], key_label: str | None) -> tuple[TokenCertificate,
                                                                                 list[TokenCertificate]]:
    """The signing certificate (by label, or the only non-CA one) and the token's other certificates."""
    own = [c for c in certificates if not c.is_ca and (key_label is None or c.label == key_label)]
    if not own:
        raise TokenError("Aucun certificat de signature sur cette carte" +
                         (f" sous le nom « {key_label} »." if key_label else "."))
    if len(own) > 1:
        raise TokenError("Plusieurs certificats sur cette carte : choisissez-en un (--key-label).")
    return own[0], [c for c in certificates if c is not own[0]]


def sign_digest(module: str, token_label: str | None, certificate: TokenCertificate, *, pin: str, digest: bytes,
                algorithm: str) -> bytes:
    """The raw signature of `digest` (SHA-256) by the key whose id is the certificate's: DER ECDSA, or
    RSA PKCS#1 v1.5. The PIN opens the session here and goes nowhere else."""
    token = _token(module, token_label)
    try:
        with token.open(user_pin=pin) as session:
            key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=bytes.fromhex(certificate.object_id))
            if algorithm == "ecdsa-sha256":
                raw = key.sign(digest, mechanism=Mechanism.ECDSA)
                half = len(raw) // 2
                return encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))
            if algorithm == "rsa-pkcs1v15-sha256":
                return bytes(key.sign(SHA256_DIGEST_INFO + digest, mechanism=Mechanism.RSA_PKCS))
            raise TokenError(f"Algorithme de signature inconnu : {algorithm}.")
    except pkcs11_errors.PinIncorrect as exc:
        raise TokenError("Code PIN incorrect.") from exc
    except pkcs11_errors.PinLocked as exc:
        raise TokenError("La carte est bloquée (trop de codes PIN erronés).") from exc
    except pkcs11_errors.NoSuchKey as exc:
        raise TokenError("La clé privée de ce certificat est introuvable sur la carte.") from exc
    except pkcs11_errors.PKCS11Error as exc:
        raise TokenError("La carte a refusé de signer.") from exc
