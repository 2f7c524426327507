"""The key material one signature needs: key, certificate, intermediates.

Defined in `convsign.pki` (not `convsign.pdf`) because `pki.pkcs12` builds one and `pki` must
not import `pdf`; `convsign.pdf.signing` imports it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class SigningIdentity:
    """An unlocked private key, its certificate and the intermediates (root excluded)."""

    private_key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()
