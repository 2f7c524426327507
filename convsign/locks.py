"""Database locks that serialise writers where the domain needs it.

PostgreSQL: transaction-scoped advisory locks, released at commit or rollback. SQLite: every
transaction starts with BEGIN IMMEDIATE (see convsign.web), which already serialises writers.
"""

from __future__ import annotations

import sqlalchemy as sa

from convsign.extensions import db

AUDIT_CHAIN_LOCK = 7_310_001


def advisory_lock(key: int) -> None:
    """Hold a transaction-scoped lock on `key` (PostgreSQL); a no-op on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def lock_audit_chain() -> None:
    """Serialise appends to the audit chain until this transaction ends."""
    advisory_lock(AUDIT_CHAIN_LOCK)
