"""Convention models made of clauses (versioned defaults per convention type) and a draft's own clauses."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base
from convsign.models.convention import Convention, ConventionKind, _enum
from convsign.models.types import UTCDateTime, utcnow
from convsign.models.user import User


class ConventionModel(Base):
    """One version of the instance's default model for a convention type; the highest version is in force."""

    __tablename__ = "convention_model"
    __table_args__ = (sa.UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConventionKind] = mapped_column(_enum(ConventionKind))
    version: Mapped[int]
    title_pattern: Mapped[str] = mapped_column(sa.String(300))
    preamble: Mapped[str] = mapped_column(sa.Text, default="")
    visas: Mapped[str] = mapped_column(sa.Text, default="")
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship()
    articles: Mapped[list[ModelArticle]] = relationship(
        back_populates="model", cascade="all, delete-orphan", order_by="ModelArticle.position")


class ModelArticle(Base):
    """An article of a model version."""

    __tablename__ = "model_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(sa.ForeignKey("convention_model.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)

    model: Mapped[ConventionModel] = relationship(back_populates="articles")


class ConventionArticle(Base):
    """An article of one convention, copied from its model and adapted in the draft."""

    __tablename__ = "convention_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)


class ConventionAction(Base):
    """A line of a convention's action plan: objective × action × lead party × calendar."""

    __tablename__ = "convention_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id"), index=True)
    position: Mapped[int]
    objective: Mapped[str] = mapped_column(sa.Text)
    action: Mapped[str] = mapped_column(sa.Text)
    lead: Mapped[str] = mapped_column(sa.String(200))
    calendar: Mapped[str] = mapped_column(sa.String(100))


class ConventionClauses(Base):
    """A convention's clause set: the model version it came from, its visas, place and diagnostic.

    A draft without one (created before clause models) gets the default model when edited.
    """

    __tablename__ = "convention_clauses"

    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id"), primary_key=True)
    model_id: Mapped[int] = mapped_column(sa.ForeignKey("convention_model.id"), index=True)
    visas: Mapped[str] = mapped_column(sa.Text, default="")
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    diagnostic: Mapped[str] = mapped_column(sa.Text, default="")

    convention: Mapped[Convention] = relationship()
    model: Mapped[ConventionModel] = relationship()
