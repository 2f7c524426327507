"""A person's own certificate: the path through an intermediate to a trusted root, and each refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from convsign.pki import external

NOW = datetime.now(UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str, issuer_key: ec.EllipticCurvePrivateKey, *,
          ca: bool, usage: bool = True, days: tuple[int, int] = (-1, 365),
          email: str | None = None) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW + timedelta(days=days[0])).not_valid_after(NOW + timedelta(days=days[1]))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if usage:
        builder = builder.add_extension(x509.KeyUsage(not ca, not ca, False, False, False, ca, ca, False, False),
                                        critical=True)
    if email:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki() -> dict[str, object]:
    root_key, mid_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _cert("Racine", root_key, "Racine", root_key, ca=True)
    mid = _cert("Intermédiaire", mid_key, "Racine", root_key, ca=True)
    return {"root": root, "mid": mid, "mid_key": mid_key, "leaf_key": leaf_key, "root_key": root_key,
            "leaf": _cert("Maire", leaf_key, "Intermédiaire", mid_key, ca=False, email="Maire@Example.org")}


def test_a_leaf_reaches_the_root_through_its_intermediate(pki: dict[str, object]) -> None:
    leaf, mid, root = pki["leaf"], pki["mid"], pki["root"]
    path = external.trusted_path([leaf, mid], [root], NOW)  # type: ignore[list-item]
    assert path == [leaf, mid, root]
    assert external.emails(leaf) == {"maire@example.org"}  # type: ignore[arg-type]


def test_without_its_intermediate_or_under_another_root_it_is_untrusted(pki: dict[str, object]) -> None:
    with pytest.raises(external.ExternalUntrusted):
        external.trusted_path([pki["leaf"]], [pki["root"]], NOW)  # type: ignore[list-item]
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _cert("Racine", other_key, "Racine", other_key, ca=True)  # same name, another key
    with pytest.raises(external.ExternalUntrusted):
        external.trusted_path([pki["leaf"], pki["mid"]], [other], NOW)  # type: ignore[list-item]


def test_an_intermediate_that_is_no_ca_does_not_count(pki: dict[str, object]) -> None:
    fake_mid = _cert("Intermédiaire", pki["mid_key"], "Racine", pki["root_key"], ca=False)  # type: ignore[arg-type]
    with pytest.raises(external.ExternalUntrusted):
        external.trusted_path([pki["leaf"], fake_mid], [pki["root"]], NOW)  # type: ignore[list-item]


def test_expired_intermediate_expired_leaf_and_missing_usage_are_refused(pki: dict[str, object]) -> None:
    old_mid = _cert("Intermédiaire", pki["mid_key"], "Racine", pki["root_key"], ca=True,  # type: ignore[arg-type]
                    days=(-400, -1))
    with pytest.raises(external.ExternalNotValidNow):
        external.trusted_path([pki["leaf"], old_mid], [pki["root"]], NOW)  # type: ignore[list-item]
    expired = _cert("Maire", pki["leaf_key"], "Intermédiaire", pki["mid_key"], ca=False,  # type: ignore[arg-type]
                    days=(-400, -1))
    with pytest.raises(external.ExternalNotValidNow):
        external.trusted_path([expired, pki["mid"]], [pki["root"]], NOW)  # type: ignore[list-item]
    no_usage = _cert("Maire", pki["leaf_key"], "Intermédiaire", pki["mid_key"], ca=False,  # type: ignore[arg-type]
                     usage=False)
    with pytest.raises(external.ExternalKeyUsage):
        external.trusted_path([no_usage, pki["mid"]], [pki["root"]], NOW)  # type: ignore[list-item]


def test_garbage_is_malformed() -> None:
    with pytest.raises(external.ExternalMalformed):
        external.parse_chain([b"pas un certificat"])
    with pytest.raises(external.ExternalMalformed):
        external.parse_chain([])
