"""The dashboard's rows: the conventions a coordinator follows, filtered, sorted and paginated.

Filters and sorting run in SQL, so a page is one query of at most PAGE_SIZE conventions plus one
query per eagerly loaded relationship: the count does not grow with the conventions shown.
"Bloqués seulement" is the exception that must judge slots in Python (gates are Python): it
loads every circulating convention of the other filters, in the same fixed number of queries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from convsign.conventions import access, circuit
from convsign.dashboard.loading import convention_loading, prepare, status_loading
from convsign.extensions import db
from convsign.models import Convention, ConventionStatus, Organisation, OrganisationKind, Signatory, SlotState, User

# 20 conventions of 40 signatories is 800 rows: what a person can read, and what renders under
# 150 ms on the benchmark machine (bench/README.md); 50 would be 2,000 rows and about 2.5 times slower.
PAGE_SIZE = 20
DEFAULT_SORT = "ouverture_desc"


@dataclass(frozen=True)
class Filters:
    """What the person asked to see: a state, an EPCI, blocked only; an order; a page."""

    status: ConventionStatus | None = None
    epci_id: int | None = None
    blocked_only: bool = False
    sort: str = DEFAULT_SORT
    page: int = 1


@dataclass(frozen=True)
class SlotRow:
    """One signatory of a convention: the slot, who holds its office today, its status."""

    slot: Signatory
    holder: str | None
    status: circuit.SlotStatus


@dataclass(frozen=True)
class StageProgress:
    """Signed slots of one stage, out of its slots."""

    stage: int
    signed: int
    total: int


@dataclass(frozen=True)
class ConventionRow:
    """A convention with its progress, stage by stage, and each of its signatories."""

    convention: Convention
    stages: tuple[StageProgress, ...]
    slots: tuple[SlotRow, ...]

    @property
    def signed(self) -> int:
        """Signed slots, every stage together."""
        return sum(stage.signed for stage in self.stages)

    @property
    def total(self) -> int:
        """Every slot of the convention."""
        return sum(stage.total for stage in self.stages)

    @property
    def refused(self) -> int:
        """Slots whose signatory refused to sign."""
        return sum(row.status.code == circuit.REFUSED for row in self.slots)

    @property
    def blocked(self) -> int:
        """Slots of the open stage that cannot be signed, for a reason the coordinator can act on."""
        return sum(row.status.code == circuit.BLOCKED for row in self.slots)


@dataclass(frozen=True)
class Page:
    """One page of rows, and where it lies among all the matching conventions."""

    rows: list[ConventionRow]
    number: int
    matching: int

    @property
    def pages(self) -> int:
        """How many pages the matching conventions fill (at least one)."""
        return max(1, math.ceil(self.matching / PAGE_SIZE))


def _progress() -> sa.Subquery:
    """Each convention's share of signed slots (0 to 1), for sorting by progress."""
    signed = sa.func.sum(sa.case((Signatory.state == SlotState.SIGNED, 1), else_=0))
    ratio = sa.cast(signed, sa.Float) / sa.func.count(Signatory.id)
    return sa.select(Signatory.convention_id, ratio.label("ratio")).group_by(Signatory.convention_id).subquery()


def _ordered(query: sa.Select[Convention], sort: str) -> sa.Select[Convention]:
    """The query in the order asked for; the id breaks ties so pages never overlap."""
    if sort.startswith("avancement"):
        progress = _progress()
        ratio = sa.func.coalesce(progress.c.ratio, 0.0)
        query = query.outerjoin(progress, progress.c.convention_id == Convention.id)
        return query.order_by(ratio.desc() if sort.endswith("_desc") else ratio, Convention.id)
    orders: dict[str, tuple[Any, ...]] = {
        "titre": (Convention.title, Convention.id),
        # Conventions never opened (drafts) come last in either direction.
        "ouverture_desc": (Convention.opened_at.is_(None), Convention.opened_at.desc(), Convention.id.desc()),
        "ouverture": (Convention.opened_at.is_(None), Convention.opened_at, Convention.id),
        "echeance": (Convention.deadline.is_(None), Convention.deadline, Convention.id),
    }
    return query.order_by(*orders.get(sort, orders[DEFAULT_SORT]))


def matching_query(user: User, filters: Filters, today: date) -> sa.Select[Convention]:
    """The conventions `user` may see that match `filters`, in the order asked for."""
    query = access.visible_conventions(user, today)
    if filters.status is not None:
        query = query.where(Convention.status == filters.status)
    if filters.epci_id is not None:
        query = query.where(Convention.lead_id == filters.epci_id)
    if filters.blocked_only:
        # Only an open stage has blocked slots: the rest is judged slot by slot.
        query = query.where(Convention.status == ConventionStatus.CIRCULATING)
    return _ordered(query, filters.sort)


def convention_row(convention: Convention, today: date) -> ConventionRow:
    """A loaded convention's progress and signatories (no query if loaded with convention_loading)."""
    statuses = circuit.statuses(convention, today)
    slots = tuple(SlotRow(slot, _holder(slot, today), statuses[slot.id]) for slot in convention.signatories)
    stages: dict[int, list[int]] = {}
    for slot in convention.signatories:
        counts = stages.setdefault(slot.stage, [0, 0])
        counts[0] += slot.state == SlotState.SIGNED
        counts[1] += 1
    return ConventionRow(convention, tuple(StageProgress(s, *stages[s]) for s in sorted(stages)), slots)


def _holder(slot: Signatory, today: date) -> str | None:
    mandate = slot.office.holder_on(today)
    return mandate.user.name if mandate is not None else None


def load_rows(query: sa.Select[Convention], today: date) -> list[ConventionRow]:
    """The rows of the conventions `query` selects, loaded in a fixed number of queries."""
    conventions = list(db.session.scalars(query.options(*convention_loading())).unique())
    prepare(conventions, today)
    return [convention_row(convention, today) for convention in conventions]


def page(user: User, filters: Filters, today: date) -> Page:
    """The page of rows `filters` asks for (PAGE_SIZE conventions at most)."""
    query = matching_query(user, filters, today)
    number = max(1, filters.page)
    if filters.blocked_only:
        ids = blocked_ids(query, today)
        wanted = ids[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        found = {row.convention.id: row for row in load_rows(query.where(Convention.id.in_(wanted)), today)}
        return Page([found[i] for i in wanted], number, len(ids))
    matching = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = load_rows(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE), today)
    return Page(rows, number, matching)


def blocked_ids(query: sa.Select[Convention], today: date) -> list[int]:
    """The ids, in order, of the conventions `query` selects that have a blocked slot.

    Gates are Python, so every candidate's slots are judged; only what the judgement reads is
    loaded (slots, office mandates, what gates prefetch), in a fixed number of queries.
    """
    conventions = list(db.session.scalars(query.options(*status_loading())).unique())
    prepare(conventions, today)
    return [c.id for c in conventions if any(s.code == circuit.BLOCKED for s in circuit.statuses(c, today).values())]


def all_rows(user: User, filters: Filters, today: date) -> list[ConventionRow]:
    """Every matching row, unpaginated (the CSV export)."""
    rows = load_rows(matching_query(user, filters, today), today)
    return [row for row in rows if row.blocked] if filters.blocked_only else rows


def epci_choices(user: User, today: date) -> list[Organisation]:
    """The intercommunalities leading a convention `user` may see, by name (the EPCI filter)."""
    leads = access.visible_conventions(user, today).with_only_columns(Convention.lead_id).distinct()
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.id.in_(leads.scalar_subquery()), Organisation.kind == OrganisationKind.EPCI)
            .order_by(Organisation.name)
        )
    )
