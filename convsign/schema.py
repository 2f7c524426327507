"""The database schema's version: migrations live in convsign/migrations (Alembic via Flask-Migrate).

The app does not migrate itself: several gunicorn workers must not race to alter tables. It
refuses to serve an unmigrated database and says which command to run.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, render_template
from flask_babel import gettext as _

from convsign.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_COMMAND = "flask --app app db upgrade"


def head_revisions() -> set[str]:
    """The revisions the code expects."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


def current_revisions() -> set[str]:
    """The revisions the database is at (empty for a new database)."""
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_up_to_date() -> bool:
    """Whether the database schema matches the code."""
    return current_revisions() == head_revisions()


def guard_unmigrated(app: Flask) -> None:
    """Answer 503 with the command to run until the database is migrated (checked until it is)."""
    state = {"ok": False}

    @app.before_request
    def check_schema() -> tuple[str, int] | None:
        if state["ok"] or app.config.get("SKIP_SCHEMA_CHECK"):
            return None
        if is_up_to_date():
            state["ok"] = True
            return None
        message = _("La base de données n'est pas à jour. Lancez : %(command)s", command=UPGRADE_COMMAND)
        return render_template("errors/error.html", status=503, message=message), 503
