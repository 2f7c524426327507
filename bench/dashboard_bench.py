"""Dashboard benchmark: the coordinator's page for the demo (38 signatories) and for 500 x 40.

Run from the repository root:

    .venv/bin/python -m bench.dashboard_bench [--repeats 15] [--database URL] [--profile]

It builds the app on a throwaway instance folder (production settings), migrates a throwaway
SQLite file, or with `--database postgresql+psycopg://postgres@127.0.0.1:5432/test` a schema of
its own in that database (created, then dropped at the end), and loads:
- the Lens-Liévin demo (`convsign.demo.services.load_demo`, which opens its CTG of 38
  signatories), seen by the demo's coordinator;
- the generated load of tests/load.py: 500 conventions of 40 signatories (20,000 slots) of
  another EPCI, seen by its coordinator (first page: PAGE_SIZE = 20 conventions, 800 slots).
Each page is requested through Flask's test client, logged in; after two warm-up requests, the
wall-clock time of `--repeats` requests is taken (median and minimum), with the SQL statement
count of one request. `--profile` prints the top functions of one request of the 500 x 40 page.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from convsign import create_app
from convsign.dashboard.services import PAGE_SIZE
from convsign.demo import services as demo
from convsign.extensions import db
from tests import load

TARGET_MS = 150.0
SCHEMA = "dashboard_bench"


@dataclass(frozen=True)
class Result:
    """One page's timings (ms) and SQL statements per request."""

    name: str
    median: float
    minimum: float
    statements: int
    size_kib: float


def database_url(folder: Path, url: str | None) -> str:
    """The SQLite file of this run, or the PostgreSQL URL with the bench's own schema first on the path."""
    if url is None:
        return "sqlite:///" + str(folder / "bench.sqlite3")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{SCHEMA}"


def drop_schema(url: str) -> None:
    """Remove the bench's PostgreSQL schema."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def build_app(folder: Path, url: str) -> Flask:
    """The app on a throwaway instance folder, migrated, with production settings otherwise."""
    app = create_app({"EXTERNAL_URL": "http://127.0.0.1:5000",
                      "INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": url,
                      "SECRET_KEY": "bench-secret-key", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    return app


def load_data(app: Flask, folder: Path) -> tuple[tuple[str, str], tuple[str, str]]:
    """The demo and the 500 x 40 load; the two coordinators' (email, password)."""
    with app.app_context():
        logins = demo.load_demo(folder / "demo-logins.txt")
        db.session.commit()
        started = time.perf_counter()
        territory = load.build_territory("mot de passe du banc d'essai")
        load.add_conventions(territory, 500)
        print(f"500 x 40 inserted in {time.perf_counter() - started:.1f} s")
    coordinator = next(login for login in logins if login.role == "coordinateur")
    return (coordinator.email, coordinator.password), (load.COORDINATOR_EMAIL, "mot de passe du banc d'essai")


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def logged_in(app: Flask, email: str, password: str) -> FlaskClient:
    """A client logged in through the real login form (CSRF is off for the bench's app)."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    response = client.post("/connexion", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def measure(app: Flask, client: FlaskClient, name: str, repeats: int, path: str = "/tableau-de-bord") -> Result:
    """Median and minimum of `repeats` requests of `path`, after two warm-up requests."""
    for _ in range(2):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with counting(app) as statements:
        client.get(path)
    return Result(name, statistics.median(times), min(times), len(statements), len(response.get_data()) / 1024)


def profile(client: FlaskClient, path: str = "/tableau-de-bord") -> None:
    """The top functions of one request, by cumulative then own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)


def machine(url: str) -> str:
    """CPU, Python, database: what the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    base = "SQLite " + sa.__version__ if url.startswith("sqlite") else "PostgreSQL"
    return (f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, "
            f"Flask {metadata.version('flask')}, SQLAlchemy {sa.__version__}, database: {base}, "
            f"load average {os.getloadavg()[0]:.1f}")


def report(results: list[Result], url: str) -> None:
    """The table, as bench/README.md records it."""
    print(machine(url))
    print("| page | median | min | SQL statements | HTML |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        met = "met" if r.median < TARGET_MS else "MISSED"
        print(f"| {r.name} | {r.median:.0f} ms ({met}) | {r.minimum:.0f} ms | {r.statements} | {r.size_kib:.0f} KiB |")


def main(argv: list[str] | None = None) -> None:
    """Build, load, measure, report; clean up the PostgreSQL schema."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a throwaway SQLite file)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="convsign-dashboard-bench-") as tmp:
        folder = Path(tmp)
        url = database_url(folder, args.database)
        app = None
        try:
            app = build_app(folder, url)
            demo_login, load_login = load_data(app, folder)
            demo_client, load_client = logged_in(app, *demo_login), logged_in(app, *load_login)
            results = [measure(app, demo_client, "demo: 1 convention, 38 signatories", args.repeats),
                       measure(app, load_client, f"500 x 40, page 1 ({PAGE_SIZE} conventions, {PAGE_SIZE * 40} slots)",
                               args.repeats),
                       measure(app, load_client, "500 x 40, blocked only, page 1", args.repeats,
                               "/tableau-de-bord?bloques=y")]
            if args.profile:
                profile(load_client)
            report(results, url)
        finally:
            if app is not None:
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
            if args.database:
                drop_schema(args.database)


if __name__ == "__main__":
    main()
