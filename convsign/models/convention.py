"""Conventions: their parties, objectives and signatories (one slot per signing office)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.mandate import Office
from convsign.models.organisation import Organisation
from convsign.models.types import UTCDateTime, utcnow
from convsign.models.user import User


def _enum(cls: type[enum.StrEnum]) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=30, values_callable=lambda items: [i.value for i in items])


class ConventionKind(enum.StrEnum):
    """A CTG, or another partnership convention."""

    CTG = "ctg"
    OTHER = "autre"


class ConventionStatus(enum.StrEnum):
    """Where a convention is in its life."""

    DRAFT = "brouillon"
    CIRCULATING = "en_circulation"
    SIGNED = "signee"
    CANCELLED = "annulee"
    EXPIRED = "expiree"


class ObjectiveDomain(enum.StrEnum):
    """The CAF's domains of intervention, in the order conventions list them."""

    EARLY_CHILDHOOD = "petite_enfance"
    CHILDHOOD = "enfance"
    YOUTH = "jeunesse"
    PARENTING = "parentalite"
    SOCIAL_LIFE = "animation_vie_sociale"
    ACCESS_TO_RIGHTS = "acces_aux_droits"
    HOUSING = "logement"
    DISABILITY = "handicap"
    DIGITAL_INCLUSION = "inclusion_numerique"


class SlotState(enum.StrEnum):
    """What happened to a signatory slot; 'waiting', 'to sign' and 'blocked' are derived from it."""

    OPEN = "ouvert"
    SIGNED = "signe"
    REFUSED = "refuse"


class Convention(Base):
    """One convention: a text, its parties, and one signature per signing office."""

    __tablename__ = "convention"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    reference: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[ConventionKind] = mapped_column(_enum(ConventionKind), default=ConventionKind.CTG)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    caf_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    preamble: Mapped[str] = mapped_column(sa.Text, default="")
    steering_committee: Mapped[str] = mapped_column(sa.Text, default="")
    deadline: Mapped[date | None]
    status: Mapped[ConventionStatus] = mapped_column(_enum(ConventionStatus), default=ConventionStatus.DRAFT,
                                                    index=True)
    # When the coordinator uploads the CAF's own text: its SHA-256 in the document store.
    uploaded_text_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The reference for "is this the current document": revision count and latest hash.
    revision_count: Mapped[int] = mapped_column(default=0)
    latest_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("convention.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(sa.Text)
    # What opens a party's deliberation gate: "confirmed" (default: an @ctes acknowledgement, or a
    # confirmation by someone other than the party's signatory) or "declared" (the recorded
    # executory date alone, on the word of whoever entered it).
    deliberation_rule: Mapped[str] = mapped_column(sa.String(20), default="confirmed", server_default="confirmed")

    lead: Mapped[Organisation] = relationship(foreign_keys=[lead_id])
    caf: Mapped[Organisation | None] = relationship(foreign_keys=[caf_id])
    created_by: Mapped[User | None] = relationship()
    replaces: Mapped[Convention | None] = relationship(remote_side=[id])
    parties: Mapped[list[ConventionParty]] = relationship(
        back_populates="convention", cascade="all, delete-orphan", order_by="ConventionParty.position")
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="convention", cascade="all, delete-orphan", order_by="Objective.position")
    signatories: Mapped[list[Signatory]] = relationship(
        back_populates="convention", cascade="all, delete-orphan",
        order_by="(Signatory.stage, Signatory.position)")

    @property
    def is_editable(self) -> bool:
        """Only a draft's text may change."""
        return self.status == ConventionStatus.DRAFT


class ConventionParty(Base):
    """An organisation party to a convention."""

    __tablename__ = "convention_party"
    __table_args__ = (sa.UniqueConstraint("convention_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    position: Mapped[int] = mapped_column(default=0)
    # Communes and EPCIs need a deliberation before signing, unless the coordinator waives it.
    deliberation_required: Mapped[bool] = mapped_column(default=True)
    waiver_reason: Mapped[str | None] = mapped_column(sa.Text)

    convention: Mapped[Convention] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()


class Objective(Base):
    """One objective of a convention, in a domain."""

    __tablename__ = "objective"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id"), index=True)
    domain: Mapped[ObjectiveDomain] = mapped_column(_enum(ObjectiveDomain))
    text: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)

    convention: Mapped[Convention] = relationship(back_populates="objectives")


class Signatory(Base):
    """A signing slot: an office signs one field of the document, in a stage."""

    __tablename__ = "signatory"
    __table_args__ = (
        sa.UniqueConstraint("convention_id", "office_id"),
        sa.UniqueConstraint("convention_id", "field_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    stage: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    field_name: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[SlotState] = mapped_column(_enum(SlotState), default=SlotState.OPEN)
    # When the slot's stage opened: "à signer depuis le …".
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    signed_revision: Mapped[int | None]
    certificate_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refused_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)

    convention: Mapped[Convention] = relationship(back_populates="signatories")
    office: Mapped[Office] = relationship()
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    refused_by: Mapped[User | None] = relationship(foreign_keys=[refused_by_id])
