"""Convert a store of whole revisions (as written before increments) into increments, idempotently.

Each revision that extends its predecessor (same convention, previous number) and is still
stored whole is rewritten as the bytes it appends, then its whole copy is deleted. The database
is only read. Running it again, or after a crash at any point, finds only what is left to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from convsign.documents.services import store
from convsign.documents.store import is_increment_of
from convsign.extensions import db
from convsign.models import DocumentRevision


@dataclass(frozen=True)
class CompactionReport:
    """What a run did."""

    converted: int
    already: int
    bases: int


def compact_store(progress: Callable[[str], None] = lambda _m: None) -> CompactionReport:
    """Store every revision that extends its predecessor as an increment."""
    documents = store()
    converted = already = bases = 0
    previous: DocumentRevision | None = None
    rows = db.session.scalars(sa.select(DocumentRevision).order_by(DocumentRevision.convention_id,
                                                                   DocumentRevision.number))
    for row in rows:
        base = previous if previous is not None and previous.convention_id == row.convention_id else None
        previous = row
        if base is None or not documents.stored_whole(row.sha256):
            bases += base is None
            already += base is not None
            continue
        content = documents.get(row.sha256)
        if not is_increment_of(content, base.sha256, base.size):
            bases += 1
            continue
        converted += documents.convert_to_increment(row.sha256, base.sha256, base.size)
        if converted and converted % 100 == 0:
            progress(f"{converted} révision(s) converties")
    return CompactionReport(converted, already, bases)
