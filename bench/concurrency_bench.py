"""Concurrent signing through gunicorn: 38 signatories at once against the same 38 one after another,
and the throughput of ten conventions signing at once.

Run from the repository root (PostgreSQL by default, as in production):

    .venv/bin/python -m bench.concurrency_bench [--database postgresql+psycopg://postgres@127.0.0.1:5432/convsign_bench]

It creates (if missing), empties and migrates the database it is given, builds the territories with the test suite's
builders (tests/world.py), gives every signatory a key (Argon2id at the test suite's low cost:
the key derivation is measured in bench/signing_bench.py), starts gunicorn with four workers and
drives it over HTTP from threads, as tests/hardening does. Target: the concurrent round takes no
more than 1.3 times the serial one, since one document's signatures are serial by nature.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from convsign import create_app
from convsign.extensions import db
from tests.conftest import _base_config, empty_database, truncate_all
from tests.hardening.conftest import Prepared, prepare_convention
from tests.hardening.server import Browser, gunicorn
from tests.hardening.test_concurrency import sign_until_done, submit
from tests.world import Holder

DEPARTMENTS = ("80", "02", "60", "76", "27", "14", "50", "61", "08", "51")


def ensure_database(url: str) -> None:
    """Create the benchmark's own PostgreSQL database if missing (tests empty the shared one)."""
    if not url.startswith("postgresql"):
        return
    server, name = url.rsplit("/", 1)
    engine = sa.create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def build_app(database: str, folder: Path) -> Flask:
    ensure_database(database)
    empty_database(database)
    app = create_app(_base_config(database, folder / "instance") | {"PKI_DIRECTORY": str(folder / "pki")})
    with app.app_context():
        upgrade()
        truncate_all()
    return app


def serial_round(base: str, prepared: Prepared) -> float:
    browsers = []
    for holder, _slot in prepared.signers:
        browser = Browser(base)
        browser.login(holder.email, "correct horse battery staple")
        browsers.append(browser)
    started = time.perf_counter()
    for browser, (_holder, slot) in zip(browsers, prepared.signers, strict=True):
        answer = submit(browser, slot, browser.get(f"/signer/{slot}"))
        assert answer.status == 302, answer.status
    return time.perf_counter() - started


def concurrent_round(base: str, prepared: list[Prepared]) -> tuple[float, int]:
    signers: list[tuple[Holder, int]] = [s for p in prepared for s in p.signers]
    start = threading.Barrier(len(signers) + 1)
    with ThreadPoolExecutor(max_workers=len(signers)) as pool:
        futures = [pool.submit(sign_until_done, base, holder, slot, start) for holder, slot in signers]
        start.wait()  # every signer logged in and looking at the page
        started = time.perf_counter()
        outcomes = [f.result() for f in futures]
    elapsed = time.perf_counter() - started
    assert all(o[-1] == 302 for o in outcomes)
    return elapsed, sum(len(o) for o in outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/convsign_bench")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="convsign-bench-"))
    app = build_app(args.database, folder)
    serial_doc = prepare_convention(app, communes=36, prefix="216", department="62")
    concurrent_doc = prepare_convention(app, communes=36, prefix="226", department="59")
    many = [prepare_convention(app, communes=2, prefix=f"3{i}6", department=DEPARTMENTS[i]) for i in range(10)]
    with gunicorn(app, workers=args.workers) as base:
        serial = serial_round(base, serial_doc)
        concurrent, attempts = concurrent_round(base, [concurrent_doc])
        spread, _ = concurrent_round(base, many)
    signatures = sum(len(p.signers) for p in many)
    print(f"machine: {os.cpu_count()} CPU; database: {args.database.split(':')[0]}; gunicorn workers: {args.workers}")
    print(f"38 signatures one after another: {serial:.1f} s ({serial / 38 * 1000:.0f} ms each)")
    print(f"38 signatures at once: {concurrent:.1f} s, {attempts} attempts (ratio {concurrent / serial:.2f}, "
          f"target ≤ 1.3)")
    print(f"10 conventions at once ({signatures} signatures): {spread:.1f} s, {signatures / spread:.1f} signatures/s")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
