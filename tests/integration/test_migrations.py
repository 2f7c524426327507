"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from convsign import schema
from convsign.extensions import db


def test_database_is_at_head_after_migrations(app: Flask) -> None:
    with app.app_context():
        assert schema.current_revisions() == schema.head_revisions()
        assert schema.is_up_to_date()


def test_migrations_match_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
