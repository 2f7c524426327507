"""Files of the PKI directory: atomic writes, and CA keys sealed under the instance secret.

The instance secret is a high-entropy server secret, not a person's passphrase, so a fast KDF
(HKDF-SHA256) is the right tool here; the memory-hard Argon2id is kept for signers' passphrases.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from convsign.pki.errors import PkiMaterialInvalid, PkiSecretMismatch

_MAGIC = b"CSPK1"
_SALT_LEN = 16
_NONCE_LEN = 12


def write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to `path` so that readers see either the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _derive(secret: bytes, salt: bytes, purpose: str) -> bytes:
    """Derive a 256-bit AES key bound to one purpose (one sealed file cannot pass for another)."""
    info = b"convsign/pki/sealed-key/v1/" + purpose.encode("ascii")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def seal(data: bytes, secret: bytes, purpose: str) -> bytes:
    """Encrypt `data` with AES-256-GCM under a key derived from `secret` for `purpose`."""
    salt, nonce = os.urandom(_SALT_LEN), os.urandom(_NONCE_LEN)
    ciphertext = AESGCM(_derive(secret, salt, purpose)).encrypt(nonce, data, purpose.encode())
    return _MAGIC + salt + nonce + ciphertext


def unseal(blob: bytes, secret: bytes, purpose: str) -> bytes:
    """Decrypt a blob made by `seal`; a wrong secret raises `PkiSecretMismatch`."""
    if not blob.startswith(_MAGIC):
        raise PkiMaterialInvalid(purpose=purpose, reason="unknown_format")
    body = blob[len(_MAGIC) :]
    salt, nonce = body[:_SALT_LEN], body[_SALT_LEN : _SALT_LEN + _NONCE_LEN]
    ciphertext = body[_SALT_LEN + _NONCE_LEN :]
    try:
        return AESGCM(_derive(secret, salt, purpose)).decrypt(nonce, ciphertext, purpose.encode())
    except InvalidTag as exc:
        raise PkiSecretMismatch(purpose=purpose) from exc
