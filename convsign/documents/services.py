"""Revisions of a convention's document: adding one, reading one, locking the convention to sign.

The convention's `revision_count` and `latest_sha256` are the reference: a file cut back to an
earlier revision validates perfectly on its own, and only this record says it is not current.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from convsign.documents.objects import ObjectStore, S3Settings, open_store
from convsign.documents.store import DocumentStore, is_increment_of
from convsign.errors import NotFound
from convsign.extensions import db
from convsign.faults import crash_point
from convsign.models import Convention, DocumentRevision, RevisionKind, Signatory

_stores: dict[tuple[str, S3Settings], ObjectStore] = {}


def objects() -> ObjectStore:
    """The instance's object store: CONVSIGN_STORAGE_URL, or the instance folder (kept per process)."""
    config = current_app.config
    url = str(config.get("STORAGE_URL") or Path(current_app.instance_path).as_uri())
    settings = S3Settings(endpoint_url=config.get("S3_ENDPOINT_URL"), access_key_id=config.get("S3_ACCESS_KEY_ID"),
                          secret_access_key=config.get("S3_SECRET_ACCESS_KEY"), region=config.get("S3_REGION"))
    if (url, settings) not in _stores:
        _stores[(url, settings)] = open_store(url, settings)
    return _stores[(url, settings)]


def store() -> DocumentStore:
    """The instance's document store."""
    return DocumentStore(objects())


def lock_convention(convention_id: int) -> Convention:
    """Load the convention and hold it until the transaction ends: signers of one document queue.

    PostgreSQL: SELECT … FOR UPDATE on the row. SQLite: every transaction already holds the
    write lock (BEGIN IMMEDIATE). Signers of other conventions do not wait on PostgreSQL.
    """
    db.session.flush()
    db.session.expire_all()  # what was read before the lock may be stale
    convention = db.session.scalar(
        sa.select(Convention).where(Convention.id == convention_id).with_for_update()
        .execution_options(populate_existing=True))
    if convention is None:
        raise NotFound()
    return convention


def add_revision(convention: Convention, content: bytes, kind: RevisionKind,
                 signatory: Signatory | None = None, verdict: str | None = None) -> DocumentRevision:
    """Store `content` as the convention's next revision (object first, then the row).

    A revision that extends the current one (a signature, a completion) is stored as the bytes
    it appends; a base (prepared, uploaded, new version) whole.
    """
    previous = _latest_row(convention) if convention.revision_count and kind != RevisionKind.PREPARED else None
    if previous is not None and is_increment_of(content, previous.sha256, previous.size):
        sha256 = store().put_increment(content, previous.sha256, previous.size)
    else:
        sha256 = store().put(content)
    crash_point("document_file_written")
    revision = DocumentRevision(convention_id=convention.id, number=convention.revision_count + 1, kind=kind,
                                sha256=sha256, size=len(content), signatory=signatory, verdict=verdict)
    db.session.add(revision)
    convention.revision_count = revision.number
    convention.latest_sha256 = sha256
    db.session.flush()
    return revision


def _latest_row(convention: Convention) -> DocumentRevision:
    return revision(convention)


def revision(convention: Convention, number: int | None = None) -> DocumentRevision:
    """Revision `number` of the convention, or its latest."""
    wanted = number if number is not None else convention.revision_count
    found = db.session.scalar(sa.select(DocumentRevision).where(
        DocumentRevision.convention_id == convention.id, DocumentRevision.number == wanted))
    if found is None:
        raise NotFound()
    return found


def revisions(convention: Convention) -> list[DocumentRevision]:
    """Every revision of the convention, oldest first."""
    return list(db.session.scalars(sa.select(DocumentRevision).where(
        DocumentRevision.convention_id == convention.id).order_by(DocumentRevision.number)))


def content(revision_row: DocumentRevision) -> bytes:
    """The bytes of a revision, checked against its hash."""
    return store().get(revision_row.sha256)


def latest_content(convention: Convention) -> bytes:
    """The bytes of the current document, which must match the convention's record."""
    if not convention.latest_sha256:
        raise NotFound()
    return store().get(convention.latest_sha256)


@dataclass(frozen=True)
class Identification:
    """What a PDF is to this instance: a known revision of a convention, current or not."""

    convention_id: int
    revision_number: int
    is_current: bool


def identify(pdf: bytes) -> Identification | None:
    """The convention revision whose bytes these are exactly, or None (unknown or altered file)."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    row = db.session.execute(
        sa.select(DocumentRevision.convention_id, DocumentRevision.number, Convention.revision_count)
        .join(Convention, Convention.id == DocumentRevision.convention_id)
        .where(DocumentRevision.sha256 == sha256).order_by(DocumentRevision.id.desc()).limit(1)).first()
    if row is None:
        return None
    convention_id, number, count = row
    return Identification(convention_id, number, number == count)
