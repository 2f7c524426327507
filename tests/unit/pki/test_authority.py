"""ensure_pki: the CA set, its extensions, reloading, the secret, concurrent first starts."""

from __future__ import annotations

import multiprocessing
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from convsign.pki.authority import Pki, PkiSettings, ensure_pki
from convsign.pki.errors import PkiSecretMismatch


def ext(
    cert: x509.Certificate, kind: type[x509.ExtensionType]
) -> x509.Extension[x509.ExtensionType]:
    return cert.extensions.get_extension_for_class(kind)


def years(cert: x509.Certificate) -> float:
    return (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365


def test_root_and_issuing_are_cas_with_bounded_paths(pki: Pki) -> None:
    for cert, path_length in ((pki.root, 1), (pki.issuing, 0)):
        constraints = ext(cert, x509.BasicConstraints)
        assert constraints.critical and constraints.value.ca
        assert constraints.value.path_length == path_length
        usage = ext(cert, x509.KeyUsage)
        assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
        assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert pki.root.issuer == pki.root.subject
    assert pki.issuing.issuer == pki.root.subject
    assert 19.9 < years(pki.root) < 20.1 and 9.9 < years(pki.issuing) < 10.1


def test_issuing_ca_names_the_root_crl(pki: Pki) -> None:
    points = ext(pki.issuing, x509.CRLDistributionPoints).value
    assert points[0].full_name == [
        x509.UniformResourceIdentifier("http://localhost:5000/pki/crl/root")
    ]


def test_tsa_has_critical_time_stamping_eku_and_rsa_key(pki: Pki) -> None:
    eku = ext(pki.tsa, x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert isinstance(pki.tsa.public_key(), rsa.RSAPublicKey)
    assert not ext(pki.tsa, x509.BasicConstraints).value.ca
    assert pki.tsa.issuer == pki.issuing.subject


def test_seal_signs_with_non_repudiation(pki: Pki) -> None:
    usage = ext(pki.seal, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    organisation = pki.seal.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert organisation == "Communauté d'Agglomération de Lens-Liévin"
    points = ext(pki.seal, x509.CRLDistributionPoints).value
    assert points[0].full_name == [x509.UniformResourceIdentifier("http://localhost:5000/pki/crl")]


def test_keys_match_certificates_and_are_private_files(pki: Pki) -> None:
    pairs = [
        (pki.root_key(), pki.root),
        (pki.issuing_key(), pki.issuing),
        (pki.tsa_key(), pki.tsa),
        (pki.seal_key(), pki.seal),
    ]
    for key, cert in pairs:
        assert key.public_key() == cert.public_key()
    for path in pki.settings.directory.glob("*.key.sealed"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(pki.settings.directory.stat().st_mode) == 0o700


def test_second_call_loads_the_same_material(pki: Pki) -> None:
    again = ensure_pki(pki.settings, datetime.now(UTC) + timedelta(days=3))
    assert (again.root, again.issuing, again.tsa, again.seal) == (
        pki.root,
        pki.issuing,
        pki.tsa,
        pki.seal,
    )


def test_keys_stay_sealed_without_the_secret(
    pki: Pki, pki_settings_factory: Callable[..., PkiSettings]
) -> None:
    wrong = pki_settings_factory(pki.settings.directory, secret=b"another-instance-secret-000000")
    with pytest.raises(PkiSecretMismatch) as caught:
        ensure_pki(wrong, datetime.now(UTC))
    assert caught.value.code == "pki_secret_mismatch"
    # No private key is stored in clear: no file holds the seal key's PKCS#8 encoding.
    der = pki.seal_key().private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for path in pki.settings.directory.iterdir():
        assert der not in path.read_bytes()


def _start(directory: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from tests.unit.conftest import make_settings

    pki = ensure_pki(make_settings(Path(directory)), datetime.now(UTC))
    queue.put(pki.root.serial_number)


def test_concurrent_first_starts_make_one_ca(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_start, args=(str(tmp_path / "pki"), queue)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    serials = {queue.get(timeout=5) for _ in workers}
    assert len(serials) == 1
