"""A signatory's own .p12: each way it can be unfit is its own coded error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from convsign.pki import builders, errors
from convsign.pki.authority import Pki
from convsign.pki.identity import SigningIdentity
from convsign.pki.keys import generate_signer_key
from convsign.pki.pkcs12 import load_pkcs12
from tests.unit.conftest import SignerFactory

PASSWORD = "mot de passe à moi"
def now() -> datetime:
    """Read at each use: a module-level "now" goes stale when the suite runs long, and
    certificates issued later by the session fixtures would then not be valid yet."""
    return datetime.now(UTC)


def p12(key: object, cert: x509.Certificate | None, cas: list[x509.Certificate]) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"signataire",
        key,
        cert,
        cas,
        BestAvailableEncryption(PASSWORD.encode()),  # type: ignore[arg-type]
    )


def load(pki: Pki, data: bytes, password: str = PASSWORD, at: datetime | None = None) -> SigningIdentity:
    return load_pkcs12(data, password, pki.trust_roots(), at or now())


def issued_with(
    pki: Pki, key_usage: x509.KeyUsage, key: object = None
) -> tuple[object, x509.Certificate]:
    private = key or generate_signer_key()
    name = builders.simple_name("Marie Lefèvre", "Commune de Liévin", "FR")
    builder = builders.base_builder(
        name,
        pki.issuing.subject,
        private.public_key(),
        now() - timedelta(days=1),
        now() + timedelta(days=30),  # type: ignore[union-attr]
    )
    return private, builders.issue_certificate(pki.issuing_key(), builder, [(key_usage, True)])


def test_a_good_file_gives_a_signing_identity(pki: Pki, signer_identity: SignerFactory) -> None:
    mine = signer_identity("Marie Lefèvre", "Maire de Liévin", "Commune de Liévin")
    identity = load(pki, p12(mine.private_key, mine.certificate, [pki.issuing]))
    assert identity.certificate == mine.certificate
    assert identity.chain == (pki.issuing,)


def test_wrong_password(pki: Pki, signer_identity: SignerFactory) -> None:
    mine = signer_identity()
    with pytest.raises(errors.Pkcs12WrongPassword):
        load(pki, p12(mine.private_key, mine.certificate, [pki.issuing]), password="autre")


def test_not_a_pkcs12_file(pki: Pki) -> None:
    with pytest.raises(errors.Pkcs12Malformed):
        load(pki, b"%PDF-1.7 not a p12")


def test_file_without_key(pki: Pki, signer_identity: SignerFactory) -> None:
    mine = signer_identity()
    with pytest.raises(errors.Pkcs12NoKey):
        load(pki, p12(None, mine.certificate, [pki.issuing]))


def test_expired_certificate(pki: Pki, signer_identity: SignerFactory) -> None:
    mine = signer_identity(valid_for=timedelta(days=10))
    with pytest.raises(errors.Pkcs12Expired) as caught:
        load(
            pki,
            p12(mine.private_key, mine.certificate, [pki.issuing]),
            at=now() + timedelta(days=11),
        )
    assert caught.value.code == "pkcs12_certificate_expired"


def test_certificate_without_non_repudiation(pki: Pki) -> None:
    digital_only = x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    key, cert = issued_with(pki, digital_only)
    with pytest.raises(errors.Pkcs12KeyUsage) as caught:
        load(pki, p12(key, cert, [pki.issuing]))
    assert caught.value.details == {"missing": ["non_repudiation"]}


def test_certificate_from_an_unknown_authority(pki: Pki) -> None:
    key = generate_signer_key()
    name = builders.simple_name("Autorité inconnue", "Ailleurs", "FR")
    self_signed = builders.issue_certificate(
        key,
        builders.base_builder(
            name, name, key.public_key(), now() - timedelta(days=1), now() + timedelta(days=9)
        ),
        [(builders.key_usage(signing=True), True)],
    )
    with pytest.raises(errors.Pkcs12Untrusted):
        load(pki, p12(key, self_signed, []))


def test_certificate_whose_chain_is_missing(pki: Pki, signer_identity: SignerFactory) -> None:
    mine = signer_identity()
    with pytest.raises(errors.Pkcs12Untrusted):
        load(pki, p12(mine.private_key, mine.certificate, []))


def test_unsupported_key_type(pki: Pki) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    name = builders.simple_name("Clé Edwards", "Ailleurs", "FR")
    builder = builders.base_builder(name, name, key.public_key(), now(), now() + timedelta(days=9))  # type: ignore[arg-type]
    cert = builder.sign(key, None)
    with pytest.raises(errors.Pkcs12UnsupportedKey):
        load(pki, p12(key, cert, []))
