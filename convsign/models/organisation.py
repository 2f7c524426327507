"""Organisations: the communes, the intercommunality (EPCI), the CAF and the other parties."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convsign.extensions import Base


class OrganisationKind(enum.StrEnum):
    """The kinds of party to a convention."""

    COMMUNE = "commune"
    EPCI = "epci"
    CAF = "caf"
    DEPARTEMENT = "departement"
    MSA = "msa"
    OTHER = "autre"


class Organisation(Base):
    """A legal person that is party to conventions, identified by its SIREN."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        sa.Enum(OrganisationKind, native_enum=False, length=20,
                values_callable=lambda kinds: [k.value for k in kinds])
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    siren: Mapped[str] = mapped_column(sa.String(9), unique=True)
    # False until checked against the SIRENE register: the product shows it.
    siren_verified: Mapped[bool] = mapped_column(default=False)
    insee_code: Mapped[str | None] = mapped_column(sa.String(5), unique=True)
    population: Mapped[int | None]
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="members")
    members: Mapped[list[Organisation]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Organisation {self.siren} {self.name!r}>"
