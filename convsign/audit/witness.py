"""A witness of the audit chain kept outside the database: one line "id hash" per committed entry.

The hash chain shows an entry edited, removed or moved in the middle of the trail, but a trail
cut short at its end is still a perfectly valid chain, and someone with write access to the
database could rebuild every hash after an edit. The witness file closes both gaps: each entry
committed is appended to it, and verification checks that every witnessed entry is still in
the database with the same hash.

Limits, stated plainly: the file is written just after the commit, so a crash between the two
leaves an entry unwitnessed (never a false alarm); it protects only as far as it is out of
reach of whoever could alter the database (point CONVSIGN_AUDIT_WITNESS_PATH to another disk,
an append-only file (chattr +a) or a log shipped elsewhere).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from convsign.audit.witness_objects import ObjectWitness
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models.audit import AuditEntry

logger = logging.getLogger(__name__)

_PENDING = "convsign_audit_witness"
_LINE = re.compile(r"^(\d+) ([0-9a-f]{64})$")


def path() -> Path | ObjectWitness:
    """The witness: CONVSIGN_AUDIT_WITNESS_PATH, else objects in the shared store when
    CONVSIGN_STORAGE_URL is set (several nodes), else instance/audit-witness.log."""
    configured = current_app.config.get("AUDIT_WITNESS_PATH")
    if configured:
        return Path(configured)
    if current_app.config.get("STORAGE_URL"):
        return ObjectWitness(documents.objects())
    return Path(current_app.instance_path) / "audit-witness.log"


def note(entry: AuditEntry) -> None:
    """Remember a flushed entry; it is witnessed once (and only if) its transaction commits."""
    pending = db.session.info.setdefault(_PENDING, [])
    pending.append((path(), entry.id, entry.entry_hash, entry))


@sa.event.listens_for(Session, "after_commit")
def _witness_committed(session: Session) -> None:
    """Append the committed entries; an entry a savepoint rolled back is no longer persistent."""
    pending = session.info.pop(_PENDING, [])
    lines: dict[Path | ObjectWitness, list[str]] = {}
    for target, entry_id, entry_hash, entry in pending:
        if sa.inspect(entry).persistent:
            lines.setdefault(target, []).append(f"{entry_id} {entry_hash}\n")
    for target, rows in lines.items():
        _append(target, "".join(rows))


@sa.event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _append(target: Path | ObjectWitness, text: str) -> None:
    """One write in append mode (atomic for workers on a local file system), then fsync.

    A failure is logged, not raised: the action is already committed, and a missing witness
    line weakens the check for that entry without causing a false alarm.
    """
    if isinstance(target, ObjectWitness):
        try:
            target.append(text)
        except Exception:  # the store unreachable: as for the file, logged, not raised
            logger.exception("audit witness not written to %s", target.objects.url)
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, text.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        logger.exception("audit witness not written to %s", target)


class WitnessUnavailable(Exception):
    """The configured witness file is missing or cannot be read: the check it provides is gone."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "witness_missing" | "witness_unreadable"


def _lines(target: Path | ObjectWitness) -> Iterator[str]:
    """The witness's lines: the file's, or the store's write-once objects' (raises WitnessUnavailable)."""
    if isinstance(target, ObjectWitness):
        yield from target.lines()
        return
    try:
        handle = target.open(encoding="ascii", errors="replace")
    except FileNotFoundError as error:
        raise WitnessUnavailable("witness_missing") from error
    except OSError as error:
        raise WitnessUnavailable("witness_unreadable") from error
    with handle:
        yield from handle


def _witnessed(target: Path | ObjectWitness, batch_size: int, duplicates: list[int]) -> Iterator[dict[int, str]]:
    """The witnessed (id → hash) pairs, by batches; unreadable lines are skipped.

    The first line for an id is the one that counts: the witness is append-only, so a later line
    for the same id can only be an attempt to rewrite history, and its id goes to `duplicates`.
    """
    seen: set[int] = set()
    batch: dict[int, str] = {}
    for line in _lines(target):
        match = _LINE.match(line.strip())
        if not match:
            continue
        entry_id = int(match.group(1))
        if entry_id in seen:
            duplicates.append(entry_id)
            continue
        seen.add(entry_id)
        batch[entry_id] = match.group(2)
        if len(batch) >= batch_size:
            yield batch
            batch = {}
    if batch:
        yield batch


def first_mismatch(target: Path | ObjectWitness, batch_size: int = 1000) -> tuple[int, str] | None:
    """The lowest witnessed entry id that is gone ("removed_or_reordered"), has another hash
    ("edited") or is witnessed twice ("witnessed_twice"), or None when all is well.

    Raises WitnessUnavailable when the file is missing or unreadable.
    """
    worst: tuple[int, str] | None = None
    duplicates: list[int] = []
    for batch in _witnessed(target, batch_size, duplicates):
        stored = dict(
            db.session.execute(sa.select(AuditEntry.id, AuditEntry.entry_hash).where(AuditEntry.id.in_(batch))).all()
        )
        for entry_id, entry_hash in batch.items():
            reason = (
                "removed_or_reordered"
                if entry_id not in stored
                else ("edited" if stored[entry_id] != entry_hash else None)
            )
            if reason and (worst is None or entry_id < worst[0]):
                worst = (entry_id, reason)
    if worst is None and duplicates:  # a rewrite found above is the graver news; else the duplicate
        worst = (min(duplicates), "witnessed_twice")
    return worst


def witnessed_twice(target: Path | ObjectWitness) -> list[int]:
    """Every id the witness file names on more than one line (each is reported)."""
    duplicates: list[int] = []
    for _batch in _witnessed(target, 10_000, duplicates):
        pass
    return sorted(set(duplicates))
