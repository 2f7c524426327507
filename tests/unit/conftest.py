"""Session-wide throwaway PKI for unit tests: built once with `ensure_pki` in a temp folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from convsign.pki.authority import Pki, PkiSettings, ensure_pki
from convsign.pki.certificates import SignerSubject, issue_signer_certificate
from convsign.pki.identity import SigningIdentity
from convsign.pki.keys import Argon2Params, generate_signer_key
from convsign.pki.tsa import TimestampAuthority

ORGANISATION = "Communauté d'Agglomération de Lens-Liévin"
# Argon2id cheap enough for tests; production uses the 64 MiB / 3 passes default.
CHEAP_ARGON2 = Argon2Params(memory_kib=1024, time_cost=1, parallelism=1)

SignerFactory = Callable[..., SigningIdentity]


SECRET = b"test-instance-secret-0123456789ab"


def make_settings(directory: Path, secret: bytes = SECRET) -> PkiSettings:
    """Settings for a test PKI (RSA-2048 TSA: generating RSA-3072 takes seconds)."""
    return PkiSettings(
        directory=directory,
        secret=secret,
        organisation=ORGANISATION,
        crl_url="http://localhost:5000/pki/crl",
        tsa_key_size=2048,
    )


@pytest.fixture(scope="session")
def pki_settings_factory() -> Callable[..., PkiSettings]:
    """`make_settings`, for tests that need a PKI of their own (other secret, fresh folder)."""
    return make_settings


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """The session's PKI (root, issuing CA, TSA, seal)."""
    directory = tmp_path_factory.mktemp("pki") / "pki"
    return ensure_pki(make_settings(directory), datetime.now(UTC))


@pytest.fixture(scope="session")
def timestamp_authority(pki: Pki) -> TimestampAuthority:
    """The session PKI's RFC 3161 authority."""
    return TimestampAuthority(pki)


@pytest.fixture(scope="session")
def signer_identity(pki: Pki) -> SignerFactory:
    """Factory of signer identities from the session PKI (ECDSA P-256 unless a key is given)."""

    def make(
        common_name: str = "Jean-Pierre Dupré",
        office: str = "Maire de Loison-sous-Lens",
        organisation: str = "Commune de Loison-sous-Lens",
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
        valid_for: timedelta = timedelta(days=365),
    ) -> SigningIdentity:
        private_key = key or generate_signer_key()
        subject = SignerSubject(
            common_name=common_name,
            organisation=organisation,
            office=office,
            email="maire@loison-sous-lens.example",
        )
        start = datetime.now(UTC) - timedelta(minutes=1)
        cert = issue_signer_certificate(
            pki, subject, private_key.public_key(), start, start + valid_for
        )
        return SigningIdentity(private_key, cert, pki.signer_chain())

    return make
