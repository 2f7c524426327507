"""Signer private keys, each encrypted under its holder's own passphrase.

Blob format (version 1): a UTF-8 JSON object holding the Argon2id parameters, salt, nonce and the
AES-256-GCM ciphertext of the PKCS#8 DER key. The header fields are bound to the ciphertext as
associated data, so editing the parameters cannot go unnoticed.
"""

from __future__ import annotations

import base64
import json
import os
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from convsign.pki.errors import KeyBlobInvalid, WrongPassphrase
from convsign.pki.identity import SigningKey

_VERSION = 1


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost: 64 MiB and 3 passes by default (about 0.2 s here); tests pass cheaper ones."""

    memory_kib: int = 64 * 1024
    time_cost: int = 3
    parallelism: int = 1


def generate_signer_key() -> ec.EllipticCurvePrivateKey:
    """A fresh ECDSA P-256 key: instant, 128-bit strength, accepted by Acrobat, NSS and RGS."""
    return ec.generate_private_key(ec.SECP256R1())


def _passphrase_bytes(passphrase: str) -> bytes:
    """NFC-normalise so 'é' typed as one or two code points opens the same key."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _derive(passphrase: str, salt: bytes, params: Argon2Params) -> bytes:
    """The 256-bit AES key for this passphrase, salt and cost."""
    return hash_secret_raw(
        secret=_passphrase_bytes(passphrase),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _header_aad(header: dict[str, Any]) -> bytes:
    """Canonical encoding of the header, authenticated along with the ciphertext."""
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def protect_key(key: SigningKey, passphrase: str, params: Argon2Params | None = None) -> bytes:
    """Encrypt `key` under `passphrase` (Argon2id → AES-256-GCM) into a self-describing blob."""
    params = params or Argon2Params()
    salt, nonce = os.urandom(16), os.urandom(12)
    header = {"v": _VERSION, "kdf": "argon2id", **asdict(params), "salt": _b64(salt)}
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    ciphertext = AESGCM(_derive(passphrase, salt, params)).encrypt(nonce, der, _header_aad(header))
    blob = {**header, "nonce": _b64(nonce), "ct": _b64(ciphertext)}
    return json.dumps(blob, sort_keys=True).encode()


def _parse_blob(blob: bytes) -> tuple[dict[str, Any], Argon2Params, bytes, bytes]:
    """Split a blob into header, parameters, nonce and ciphertext; refuse unknown formats."""
    try:
        data = json.loads(blob)
        header = {
            k: data[k] for k in ("v", "kdf", "memory_kib", "time_cost", "parallelism", "salt")
        }
        params = Argon2Params(data["memory_kib"], data["time_cost"], data["parallelism"])
        nonce, ciphertext = base64.b64decode(data["nonce"]), base64.b64decode(data["ct"])
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyBlobInvalid(reason="unreadable") from exc
    if header["v"] != _VERSION or header["kdf"] != "argon2id":
        raise KeyBlobInvalid(reason="unsupported_version", version=header["v"])
    return header, params, nonce, ciphertext


def unlock_key(blob: bytes, passphrase: str) -> SigningKey:
    """Decrypt a blob made by `protect_key`; raise `WrongPassphrase` if the passphrase is wrong."""
    header, params, nonce, ciphertext = _parse_blob(blob)
    salt = base64.b64decode(header["salt"])
    try:
        der = AESGCM(_derive(passphrase, salt, params)).decrypt(
            nonce, ciphertext, _header_aad(header)
        )
    except InvalidTag as exc:
        raise WrongPassphrase() from exc
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyBlobInvalid(reason="unsupported_key_type")
    return key


def change_passphrase(blob: bytes, old: str, new: str, params: Argon2Params | None = None) -> bytes:
    """Re-encrypt the key under `new` (fresh salt and nonce); `old` must open it."""
    return protect_key(unlock_key(blob, old), new, params)
