"""Revisions of a convention's PDF: each one kept, content-addressed by SHA-256, never overwritten."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.convention import Signatory
from convsign.models.types import UTCDateTime, utcnow


class RevisionKind(enum.StrEnum):
    """What produced a revision."""

    PREPARED = "prepare"  # generated, fields added, certified by the platform
    SIGNATURE = "signature"  # one signatory's signature
    COMPLETION = "completion"  # validation material and document timestamp (B-LTA)


class DocumentRevision(Base):
    """One revision of a convention's document; the file lives in the document store by its hash."""

    __tablename__ = "document_revision"
    __table_args__ = (sa.UniqueConstraint("convention_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id"), index=True)
    number: Mapped[int]
    kind: Mapped[RevisionKind] = mapped_column(
        sa.Enum(RevisionKind, native_enum=False, length=20, values_callable=lambda ks: [k.value for k in ks]))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int]
    signatory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signatory.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The validation of this revision's newest signature, as JSON, so no page re-validates.
    verdict: Mapped[str | None] = mapped_column(sa.Text)

    signatory: Mapped[Signatory | None] = relationship()
