"""Server time of a signature with one's own certificate (prepare + finish) beside the server-key
signature operation, on the same revision of the same convention.

    .venv/bin/python -m bench.token_signing_bench [--repeats 7] [--kind ec|rsa]

It builds the app on a throwaway instance folder and SQLite file (production TSA: RSA-3072,
in-process), a territory of two communes (tests.world), opens a CTG, and for the first mayor's slot:

- server key: `services._sign_under_lock` with an already-unlocked identity (the passphrase's
  Argon2id excluded), as bench/signing_bench.py's "app op";
- token: `token_signing.prepare` (rules, seen hash, certificate checks, revocation, placeholder
  revision, signed attributes, stored state) + `token_signing.finish` (lock, CMS completion,
  signature timestamp, embedding, validation, revision, audit), the signature value computed in
  between by a software key standing for the token (not timed: token time is excluded).

Each sample runs in a SAVEPOINT rolled back afterwards, after a `gc.collect()`; CPU time of the
process (`time.process_time`) and wall clock. The certificate comes from a test CA added as a
trusted root; it names no CRL (a reachable CRL or OCSP responder adds its round trip to prepare).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID
from flask_migrate import upgrade

from convsign import create_app
from convsign.admin import trust_roots
from convsign.extensions import db
from convsign.models import Convention, Mandate, User
from convsign.signing import keys, services, token_signing
from tests.world import build_territory, open_convention

TARGET = 1.3


def certificate(ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, key: object, email: str) -> x509.Certificate:
    now = datetime.now(UTC)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Élu·e banc"),
                                     x509.NameAttribute(NameOID.EMAIL_ADDRESS, email)]))
            .issuer_name(ca.subject).public_key(key.public_key())  # type: ignore[attr-defined]
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(ca_key, hashes.SHA256()))


def test_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AC de banc d'essai")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def sample(run: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds of `run` inside a SAVEPOINT rolled back afterwards."""
    gc.collect()
    nested = db.session.begin_nested()
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    nested.rollback()
    db.session.expire_all()
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--kind", choices=("ec", "rsa"), default="ec")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="convsign-bench-token-"))
    app = create_app({"EXTERNAL_URL": "http://127.0.0.1:5000",
                      "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench-secret-key",
                      "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}"})
    with app.app_context():
        upgrade()
    territory = build_territory(app, communes=2)
    convention_id = open_convention(app, territory)
    mayor = territory.holder("Commune 1")
    token_key = ec.generate_private_key(ec.SECP256R1()) if args.kind == "ec" else \
        rsa.generate_private_key(65537, 3072)
    ca_key, ca = test_ca()
    leaf = certificate(ca_key, ca, token_key, mayor.email)
    chain = [leaf.public_bytes(serialization.Encoding.DER)]
    with app.app_context():
        trust_roots.add_root(ca.public_bytes(serialization.Encoding.PEM), None, datetime.now(UTC))
        user = db.session.scalar(sa.select(User).where(User.email == mayor.email))
        mandate = db.session.scalar(sa.select(Mandate).where(Mandate.user_id == user.id))  # type: ignore[union-attr]
        assert user is not None and mandate is not None
        key = keys.create_key(user, mandate, "phrase secrète du banc d'essai", datetime.now(UTC))
        db.session.commit()
        identity = keys.unlock(key, "phrase secrète du banc d'essai", datetime.now(UTC))
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        slot = next(s for s in convention.signatories if s.office_id == mayor.office_id)
        seen = convention.latest_sha256 or ""

        def server_key() -> object:
            return services._sign_under_lock(slot, user, lambda: identity, seen, datetime.now(UTC))

        def token_value(digest: bytes, algorithm: str) -> bytes:
            if isinstance(token_key, ec.EllipticCurvePrivateKey):
                return token_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
            return token_key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))

        timings: dict[str, list[tuple[float, float]]] = {"server key": [], "prepare": [], "finish": [],
                                                         "token (prepare + finish)": []}
        server_key_warm = sample(server_key)  # warm-up of both paths (imports, caches, TSA size estimate)
        del server_key_warm
        for index in range(args.repeats + 1):
            timings_now = {}
            timings_now["server key"] = sample(server_key)
            gc.collect()
            nested = db.session.begin_nested()
            cpu, wall = time.process_time(), time.perf_counter()
            prepared = token_signing.prepare(slot.id, user, seen, chain, datetime.now(UTC))
            prep = (time.process_time() - cpu, time.perf_counter() - wall)
            value = token_value(prepared.digest, prepared.algorithm)
            cpu, wall = time.process_time(), time.perf_counter()
            revision = token_signing.finish(prepared.token, slot.id, user, value, datetime.now(UTC))
            fin = (time.process_time() - cpu, time.perf_counter() - wall)
            assert hashlib.sha256(revision.sha256.encode()).hexdigest()
            nested.rollback()
            db.session.expire_all()
            if index == 0:
                continue  # warm-up
            timings_now["prepare"], timings_now["finish"] = prep, fin
            timings_now["token (prepare + finish)"] = (prep[0] + fin[0], prep[1] + fin[1])
            for name, value_pair in timings_now.items():
                timings[name].append(value_pair)
    print(f"{args.kind.upper()} key, {args.repeats} samples, ms: CPU median (min) | wall median (min)")
    for name, values in timings.items():
        cpus, walls = [c * 1000 for c, _ in values], [w * 1000 for _, w in values]
        print(f"  {name:26} {statistics.median(cpus):7.0f} ({min(cpus):5.0f}) | "
              f"{statistics.median(walls):7.0f} ({min(walls):5.0f})")
    ratio = statistics.median(c for c, _ in timings["token (prepare + finish)"]) / \
        statistics.median(c for c, _ in timings["server key"])
    print(f"  ratio token / server key (CPU medians): {ratio:.2f}x — target {TARGET}x: "
          f"{'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
