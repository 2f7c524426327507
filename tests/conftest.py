"""Fixtures shared by the integration, web and browser tests.

The database is CONVSIGN_TEST_DATABASE_URL (PostgreSQL in CI) or a throwaway SQLite file. Its
schema is built once per session by the real migrations, on an emptied database; each test then
starts from empty tables.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from convsign import create_app
from convsign.auth import passwords
from convsign.extensions import db, limiter
from convsign.models import Organisation, OrganisationKind, Role, User
from tests.tokens import hsm  # noqa: F401 (the SoftHSM2 tokens, a session fixture of tests/token and tests/browser)

TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    """Argon2 with its production cost makes every test login slow; the algorithm stays the same."""
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database: PostgreSQL when configured, else a SQLite file of this session."""
    url = os.environ.get("CONVSIGN_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def empty_database(url: str) -> None:
    """Drop everything in the database, so the migrations run on an empty one."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        else:
            meta = sa.MetaData()
            meta.reflect(connection)
            meta.drop_all(connection)
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database, emptied then brought to the head revision by the migrations."""
    empty_database(database_url)
    app = create_app(_base_config(database_url, tmp_path_factory.mktemp("migrate")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _base_config(database_url: str, instance: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "EXTERNAL_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
        # One PKI for the whole session (same secret), with a quick RSA-2048 TSA key.
        "PKI_DIRECTORY": str(SESSION_PKI),
        "PKI_TSA_KEY_SIZE": 2048,
        # Signing passphrases: the same Argon2id, at a cost tests can afford.
        "PASSPHRASE_KDF_MEMORY_KIB": 1024,
        "PASSPHRASE_KDF_PASSES": 1,
    }


SESSION_PKI = Path(tempfile.mkdtemp(prefix="convsign-test-pki-")) / "pki"


def truncate_all() -> None:
    """Empty every table (fast, and leaves the migrated schema in place)."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture
def app(migrated_database: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on the migrated test database, with empty tables and its own instance folder."""
    app = create_app(_base_config(migrated_database, tmp_path / "instance"))
    with app.app_context():
        truncate_all()
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client of `app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for `flask` commands of `app`."""
    return app.test_cli_runner()


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/connexion") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post_form(client: FlaskClient, path: str, data: dict[str, Any], token_from: str | None = None,
              **kwargs: Any) -> Any:
    """Submit a form with the session's CSRF token, as a browser would."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


class Factory:
    """Builds organisations and people for tests, committed, returned detached with their columns loaded.

    It pushes an app context per call only: a context held for the whole test would be shared by
    the client's requests (Flask reuses a pushed context), sharing `g` and the session between
    requests and hiding bugs.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.count = 0

    def _save(self, obj: Any) -> Any:
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def organisation(self, kind: OrganisationKind = OrganisationKind.COMMUNE, **values: Any) -> Organisation:
        from stdnum import luhn

        self.count += 1
        base = f"2162{self.count:04d}"
        with self.app.app_context():
            return self._save(Organisation(kind=kind, name=values.pop("name", f"Organisation {self.count}"),
                                           siren=values.pop("siren", base + luhn.calc_check_digit(base)),
                                           **values))

    def user(self, *roles: Role, email: str | None = None, password: str = TEST_PASSWORD,
             organisation: Organisation | None = None, **values: Any) -> User:
        self.count += 1
        with self.app.app_context():
            user = User(name=values.pop("name", f"Personne {self.count}"),
                        email=email or f"personne{self.count}@example.org",
                        password_hash=passwords.hash_password(password) if password else None,
                        organisation_id=organisation.id if organisation else None, **values)
            user.set_roles(set(roles) or {Role.SIGNATORY})
            return self._save(user)


@pytest.fixture
def factory(app: Flask) -> Factory:
    """Test data builder."""
    return Factory(app)


class Auth:
    """Logs a client in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = TEST_PASSWORD) -> Any:
        return post_form(self.client, "/connexion", {"email": email, "password": password})

    def logout(self) -> Any:
        return post_form(self.client, "/deconnexion", {}, token_from="/")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """Login helper bound to `client`."""
    return Auth(client)


def text(response: Any) -> str:
    """A response's HTML with entities decoded (Jinja escapes ' as &#39;)."""
    from html import unescape

    return unescape(response.get_data(as_text=True))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an asyncio loop running in the main thread
    for the rest of the session, and pyHanko's sync calls cannot run inside a running loop."""
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real S3 server (SeaweedFS on loopback) for the whole session, started on first use."""
    from tests.seaweed import seaweedfs

    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def make_node(migrated_database: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Make app nodes: each its own instance folder under tmp_path, the test database, the given
    store settings, no PKI folder (the PKI in the store); their connections closed at the end."""
    made: list[Flask] = []

    def make(name: str, store: dict[str, str]) -> Flask:
        app = create_app(_base_config(migrated_database, tmp_path / name) | store | {"PKI_DIRECTORY": None})
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
