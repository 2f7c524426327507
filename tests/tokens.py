"""SoftHSM2 tokens made by the tests (one set per session, for tests/token and tests/browser), a test CA
(added as a trusted root by the tests that need it),
its CRL served on loopback.

Each token holds one key pair generated on the token (EC P-256 or RSA-3072) and its certificate
issued by the test CA (or, for the refusals, by an untrusted CA, expired, for someone else, revoked).
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

AGENT = Path(__file__).resolve().parents[1] / "agent"
SOFTHSM_MODULE = next((p for p in ("/usr/lib/softhsm/libsofthsm2.so",
                                  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so") if Path(p).exists()),
                      "/usr/lib/softhsm/libsofthsm2.so")
PIN, SO_PIN = "123456", "987654"
CHOSEN_PIN_ENV = "CONVSIGN_TEST_TOKEN_PIN"

sys.path.insert(0, str(AGENT))


def mayor_email(commune: int) -> str:
    """The e-mail tests.world gives the mayor of Commune `commune` (default prefix)."""
    from tests.world import _siren  # here: tests.world imports tests.conftest, which imports this module

    return f"maire.{_siren(10 + commune, '216')}.216@example.org"


@dataclass(frozen=True)
class TestCa:
    name: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def make_ca(name: str) -> TestCa:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{name} racine")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return TestCa(name, key, cert)


@dataclass(frozen=True)
class Token:
    label: str
    certificate: x509.Certificate


class Hsm:
    """A SoftHSM2 token directory of this test session, and the tokens made in it."""

    def __init__(self, directory: Path, crl_url: str) -> None:
        self.directory = directory
        self.crl_url = crl_url
        self.ca = make_ca("AC d'essai des cartes")
        self.untrusted_ca = make_ca("AC inconnue")
        self.tokens: dict[str, Token] = {}
        self.revoked_serials: list[int] = []

    def init_token(self, label: str) -> None:
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin",
                        SO_PIN], check=True, capture_output=True, env=os.environ.copy())

    def issue(self, label: str, kind: str, email: str, *, ca: TestCa | None = None, expired: bool = False,
              crl_url: str | None = None) -> Token:
        """Generate the key pair on token `label`, issue its certificate, store the certificate on it."""
        import pkcs11
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

        lib = pkcs11.lib(SOFTHSM_MODULE)
        token = lib.get_token(token_label=label)
        key_id = os.urandom(8)
        with token.open(rw=True, user_pin=PIN) as session:
            if kind == "ec":
                params = session.create_domain_parameters(KeyType.EC, {
                    Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
                public, _private = params.generate_keypair(store=True, id=key_id, label=label)
                public_key = serialization.load_der_public_key(encode_ec_public_key(public))
            else:
                from pkcs11.util.rsa import encode_rsa_public_key

                public, _private = session.generate_keypair(KeyType.RSA, 3072, store=True, id=key_id, label=label)
                public_key = serialization.load_der_public_key(encode_rsa_public_key(public))
            certificate = self._certificate(public_key, email, ca or self.ca, expired, crl_url)
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: key_id,
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER)})
        made = Token(label, certificate)
        self.tokens[label] = made
        return made

    def _certificate(self, public_key: object, email: str, ca: TestCa, expired: bool,
                     crl_url: str | None) -> x509.Certificate:
        now = datetime.now(UTC)
        start, end = (now - timedelta(days=400), now - timedelta(days=30)) if expired else \
            (now - timedelta(hours=1), now + timedelta(days=700))
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([
                       x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                       x509.NameAttribute(NameOID.COMMON_NAME, f"Élu·e {email.split('.', maxsplit=1)[0]}"),
                       x509.NameAttribute(NameOID.EMAIL_ADDRESS, email)]))
                   .issuer_name(ca.certificate.subject).public_key(public_key)  # type: ignore[arg-type]
                   .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                                key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                key_cert_sign=False, crl_sign=False, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                                  critical=False))
        if crl_url:
            builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(crl_url)], None, None, None)]), critical=False)
        return builder.sign(ca.key, hashes.SHA256())

    def crl(self) -> bytes:
        now = datetime.now(UTC)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.ca.certificate.subject)
                   .last_update(now - timedelta(minutes=5)).next_update(now + timedelta(days=1))
                   .add_extension(x509.CRLNumber(1), critical=False))
        for serial in self.revoked_serials:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - timedelta(minutes=1))
                .build())
        return builder.sign(self.ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="session")
def hsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hsm]:
    """The session's tokens: made once (key generation on a token is slow), used by every test."""
    if not shutil.which("softhsm2-util") or not Path(SOFTHSM_MODULE).exists():
        if os.environ.get("CI"):
            pytest.fail("softhsm2 is missing: .ci/run installs Debian's softhsm2 package")
        pytest.skip("softhsm2 is not installed (apt-get install softhsm2)")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    crl_server = _serve_crl()
    hsm = Hsm(directory, f"http://127.0.0.1:{crl_server.server_port}/ac.crl")
    crl_server.hsm = hsm  # type: ignore[attr-defined]
    labels = ["maire1-ec", "maire2-rsa", "inconnue", "expiree", "revoquee"]
    for label in labels:
        hsm.init_token(label)
    hsm.issue("maire1-ec", "ec", mayor_email(1), crl_url=hsm.crl_url)
    # No reachable CRL for this one: accepted, "révocation non vérifiée".
    hsm.issue("maire2-rsa", "rsa", mayor_email(2), crl_url="http://127.0.0.1:9/ac.crl")
    hsm.issue("inconnue", "ec", mayor_email(1), ca=hsm.untrusted_ca)
    hsm.issue("expiree", "ec", mayor_email(1), expired=True)
    revoked = hsm.issue("revoquee", "ec", mayor_email(1), crl_url=hsm.crl_url)
    hsm.revoked_serials.append(revoked.certificate.serial_number)
    yield hsm
    crl_server.shutdown()
    crl_server.server_close()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


class _CrlHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = self.server.hsm.crl()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def _serve_crl() -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CrlHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_agent(*args: str, pin: str = PIN) -> subprocess.CompletedProcess[str]:
    """`convsign-agent ARGS` as a separate process (python -m, the agent's own package only)."""
    env = {**os.environ, "PYTHONPATH": str(AGENT), CHOSEN_PIN_ENV: pin}
    return subprocess.run([sys.executable, "-m", "convsign_agent", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
