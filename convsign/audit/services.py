"""Write audit entries in the caller's transaction, and verify the hash chain.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON form of the
entry, so an edited, removed or reordered row breaks the chain at that row. Writers are
serialised (an advisory lock on PostgreSQL; SQLite transactions are write-locked from their
start) so the chain never forks; `previous_hash` is unique as a last guard.

The chain alone cannot see its newest entries removed (what remains is a shorter, intact
chain), nor a chain recomputed from an edited row onwards. Each committed entry's id and hash
are therefore also appended to a witness file outside the database (`convsign.audit.witness`),
and `verify_trail` checks the database against it too.
"""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from convsign.audit import witness
from convsign.extensions import db
from convsign.locks import lock_audit_chain
from convsign.models import User
from convsign.models.audit import AuditEntry
from convsign.models.types import utcnow

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Origin:
    """Where the actions being recorded come from: the client's address and user agent."""

    ip: str | None
    user_agent: str | None


# Set by the web layer for each request (convsign.web); None for commands. A context variable, so
# that recording an action does not reach into Flask's request, and stays the same from any caller.
_origin: ContextVar[Origin | None] = ContextVar("convsign_audit_origin", default=None)


def set_origin(origin: Origin | None) -> None:
    """Say where the following actions come from (None: a command, no client)."""
    _origin.set(origin)
CHAINED_FIELDS = (
    "at",
    "action",
    "actor_id",
    "actor_name",
    "actor_role",
    "organisation_id",
    "convention_id",
    "slot_id",
    "ip",
    "user_agent",
    "sha256_before",
    "sha256_after",
    "certificate_sha256",
    "details",
)


def canonical(entry: AuditEntry) -> str:
    """The entry's chained fields as canonical JSON (sorted keys, UTC times in ISO 8601)."""
    values: dict[str, Any] = {}
    for name in CHAINED_FIELDS:
        value = getattr(entry, name)
        values[name] = value.isoformat(timespec="microseconds") if isinstance(value, datetime) else value
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(previous_hash: str, entry: AuditEntry) -> str:
    """The hash that chains `entry` to its predecessor."""
    return hashlib.sha256((previous_hash + canonical(entry)).encode()).hexdigest()


def record(
    action: str,
    *,
    actor: User | None = None,
    role: str | None = None,
    convention_id: int | None = None,
    slot_id: int | None = None,
    sha256_before: str | None = None,
    sha256_after: str | None = None,
    certificate_sha256: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Append an entry to the chain in the current transaction (flushed, not committed).

    Without an explicit `role` (the capacity of this action, e.g. "signataire"), the actor's
    roles are recorded, so every entry says in what capacity its actor stood.
    """
    lock_audit_chain()
    entry = AuditEntry(
        at=utcnow(),
        action=action,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else None,
        actor_role=role or _roles_of(actor),
        organisation_id=actor.organisation_id if actor else None,
        convention_id=convention_id,
        slot_id=slot_id,
        sha256_before=sha256_before,
        sha256_after=sha256_after,
        certificate_sha256=certificate_sha256,
        details=json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str),
    )
    origin = _origin.get()
    if origin is not None:
        entry.ip = origin.ip
        entry.user_agent = (origin.user_agent or "")[:300]
    entry.previous_hash = chain_head()
    entry.entry_hash = compute_hash(entry.previous_hash, entry)
    db.session.add(entry)
    db.session.flush()
    witness.note(entry)
    return entry


def _roles_of(actor: User | None) -> str | None:
    """The actor's roles, sorted and comma-separated ("admin,coordinator"), or None."""
    if actor is None or not actor.roles:
        return None
    return ",".join(sorted(role.value for role in actor.roles))[:60]


def chain_head() -> str:
    """The hash of the newest entry, or the genesis hash."""
    newest = db.session.scalar(sa.select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    return newest or GENESIS_HASH


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops holding, and why (a stable code)."""

    entry_id: int
    # "edited" | "removed_or_reordered" | "witnessed_twice" | "witness_missing" | "witness_unreadable"
    # | "anchor_mismatch" (entry_id: the anchor's entry number)
    reason: str


def verify_chain(batch_size: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in order: (entries checked, first break or None)."""
    previous = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch_size)
        ).all()
        if not batch:
            return checked, None
        for entry in batch:
            if entry.previous_hash != previous:
                return checked, ChainBreak(entry.id, "removed_or_reordered")
            if compute_hash(previous, entry) != entry.entry_hash:
                return checked, ChainBreak(entry.id, "edited")
            previous, last_id, checked = entry.entry_hash, entry.id, checked + 1
        db.session.expunge_all()


def verify_trail(batch_size: int = 1000) -> tuple[int, ChainBreak | None]:
    """The chain, then the witness: (entries checked, first break or None).

    The witness catches what the chain cannot: its newest entries deleted, or a chain rebuilt
    with fresh hashes after an edit.
    """
    checked, broken = verify_chain(batch_size)
    if broken is not None:
        return checked, broken
    try:
        missing = witness.first_mismatch(witness.path(), batch_size)
    except witness.WitnessUnavailable as error:
        if checked == 0:  # nothing recorded yet, so nothing witnessed yet
            return checked, None
        return checked, ChainBreak(0, error.reason)
    if missing is None:
        return checked, None
    entry_id, reason = missing
    return checked, ChainBreak(entry_id, reason)
