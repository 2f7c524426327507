"""The three configuration layers, the instance secret and the database choice."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from convsign import create_app


@pytest.fixture(autouse=True)
def _external_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """These apps are built as in production (not testing), where CONVSIGN_EXTERNAL_URL is required."""
    monkeypatch.setenv("CONVSIGN_EXTERNAL_URL", "https://convsign.example")


def test_layers_override_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.py").write_text("MAX_UPLOAD_MB = 10\nMAX_PDF_PAGES = 200\nSMTP_PORT = 2525\n")
    monkeypatch.setenv("CONVSIGN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CONVSIGN_MAX_PDF_PAGES", "99")
    app = create_app()
    assert app.instance_path == str(tmp_path)
    assert app.config["MAX_UPLOAD_MB"] == 10  # instance file over the default (50)
    assert app.config["MAX_PDF_PAGES"] == 99  # environment over the instance file
    assert app.config["SMTP_PORT"] == 2525
    assert app.config["MAX_CONTENT_LENGTH"] == 11 * 1024 * 1024
    assert create_app({"INSTANCE_PATH": str(tmp_path), "MAX_PDF_PAGES": 5}).config["MAX_PDF_PAGES"] == 5


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONVSIGN_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/convsign.sqlite3"


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVSIGN_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:5432/x")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1:5432/x"


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    secret_file = tmp_path / "secret_key"
    assert first == second == secret_file.read_text().strip()
    assert len(first) == 64
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert create_app({"INSTANCE_PATH": str(tmp_path / "other")}).config["SECRET_KEY"] != first


def test_unmigrated_database_is_refused_with_the_command(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"})
    response = app.test_client().get("/connexion")
    assert response.status_code == 503
    assert "flask --app app db upgrade" in response.get_data(as_text=True)


def test_session_cookie_flags(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SKIP_SCHEMA_CHECK": True})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    client = app.test_client()
    plain = client.get("/connexion").headers.getlist("Set-Cookie")
    secure = client.get("/connexion", base_url="https://localhost").headers.getlist("Set-Cookie")
    assert plain and all("HttpOnly" in c and "SameSite=Lax" in c and "Secure" not in c for c in plain)
    assert secure and all("Secure" in c for c in secure)
