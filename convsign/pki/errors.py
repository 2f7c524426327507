"""Coded errors of the PKI layer: a stable machine `code` plus structured details, no UI text."""

from __future__ import annotations

from typing import Any, ClassVar


class PkiError(Exception):
    """Base of every PKI error; the web layer maps `code` to a translated message."""

    code: ClassVar[str] = "pki_error"

    def __init__(self, **details: Any) -> None:
        super().__init__(self.code, details)
        self.details: dict[str, Any] = details


class PkiSecretMismatch(PkiError):
    """A CA/TSA/seal key could not be decrypted: the instance secret is not the right one."""

    code = "pki_secret_mismatch"


class PkiMaterialInvalid(PkiError):
    """The PKI directory holds missing or inconsistent files (e.g. a key not matching its cert)."""

    code = "pki_material_invalid"


class CertificateRequestInvalid(PkiError):
    """A signer certificate was asked with an impossible validity or an unsupported key."""

    code = "certificate_request_invalid"


class WrongPassphrase(PkiError):
    """The passphrase does not open this signer key."""

    code = "wrong_passphrase"


class KeyBlobInvalid(PkiError):
    """The stored signer key blob is not in a format this version understands."""

    code = "key_blob_invalid"


class TimestampRequestRejected(PkiError):
    """An RFC 3161 request was refused; `fail_info` is the RFC 3161 PKIFailureInfo name."""

    code = "tsa_request_rejected"


class Pkcs12Error(PkiError):
    """Base of the errors raised while accepting a signatory's own .p12/.pfx file."""

    code = "pkcs12_error"


class Pkcs12Malformed(Pkcs12Error):
    """The file is not a PKCS#12 structure at all."""

    code = "pkcs12_malformed"


class Pkcs12WrongPassword(Pkcs12Error):
    """The password does not open the PKCS#12 file."""

    code = "pkcs12_wrong_password"


class Pkcs12NoKey(Pkcs12Error):
    """The file holds no private key, or no certificate for it."""

    code = "pkcs12_no_key"


class Pkcs12KeyMismatch(Pkcs12Error):
    """The private key does not belong to the certificate."""

    code = "pkcs12_key_mismatch"


class Pkcs12UnsupportedKey(Pkcs12Error):
    """The key is neither RSA nor ECDSA."""

    code = "pkcs12_unsupported_key"


class Pkcs12Expired(Pkcs12Error):
    """The certificate is expired (or not yet valid) at the time of signing."""

    code = "pkcs12_certificate_expired"


class Pkcs12KeyUsage(Pkcs12Error):
    """The certificate lacks digitalSignature or nonRepudiation."""

    code = "pkcs12_key_usage"


class Pkcs12Untrusted(Pkcs12Error):
    """The certificate does not chain to one of the accepted trust roots."""

    code = "pkcs12_untrusted"
