"""Issue 12, point 3: what the app writes is for its own user only, whatever the umask it was started with."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade

from convsign import create_app
from convsign.documents import services as documents
from convsign.documents.store import full_key
from convsign.extensions import db
from convsign.outbox.delivery import deliver_due
from convsign.outbox.queue import queue_email
from convsign.trust import platform
from tests.conftest import _base_config


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The process starts as a service usually does, with umask 022."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_backup_outbox_database_documents_and_pki_are_private(tmp_path: Path, usual_umask: None) -> None:
    instance = tmp_path / "instance"
    config = _base_config("sqlite:///" + str(instance / "convsign.sqlite3"), instance)
    config["PKI_DIRECTORY"] = str(instance / "pki")
    config.pop("SECRET_KEY")  # generated into the instance folder, as in production
    app = create_app(config)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        queue_email("maire@example.org", "Lien", "https://convsign.example/reinitialisation/secret")
        db.session.commit()
        deliver_due()
        sha = documents.store().put(b"%PDF-1.7 stand-in bytes")
        platform.pki()
        db.session.remove()
        db.engine.dispose()
    archive = tmp_path / "sauvegarde.tar.gz"
    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output

    written = {
        "backup": archive,
        "database": instance / "convsign.sqlite3",
        "secret": instance / "secret_key",
        "document": instance / full_key(sha),
        **{f"outbox {p.name}": p for p in (instance / "outbox").glob("*.eml")},
        **{f"pki {p.name}": p for p in (instance / "pki").iterdir() if p.is_file()},
    }
    assert any(name.startswith("outbox") for name in written)
    assert {name: oct(mode(path)) for name, path in written.items()} == dict.fromkeys(written, "0o600")
    folders = [instance / "outbox", *(p for p in (instance / "documents").rglob("*") if p.is_dir())]
    assert {str(p): oct(mode(p)) for p in folders} == {str(p): "0o700" for p in folders}


def test_start_warns_when_the_instance_folder_is_readable_by_others(
    tmp_path: Path, migrated_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    instance = tmp_path / "open"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)
    with caplog.at_level(logging.WARNING, logger="convsign"):
        app = create_app(_base_config(migrated_database, instance))
    assert "lisible par d'autres comptes" in caplog.text
    caplog.clear()
    os.chmod(instance, 0o700)
    with caplog.at_level(logging.WARNING, logger="convsign"):
        create_app(_base_config(migrated_database, instance))
    assert "lisible" not in caplog.text
    with app.app_context():
        db.engine.dispose()
