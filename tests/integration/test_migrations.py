"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

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


def test_every_migration_goes_down_to_base_and_up_again(app: Flask) -> None:
    """Each downgrade undoes its upgrade: down to an empty database, then up to the models' schema again."""
    with app.app_context():
        downgrade(revision="base")
        db.session.remove()
        assert schema.current_revisions() == set()
        left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        upgrade()
        assert schema.is_up_to_date()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
