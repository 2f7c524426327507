"""The demonstration's deliberations on the CTG 2023-2026 of Lens-Liévin, idempotently.

Loison-sous-Lens' real deliberation of 13 December 2022 (from its extract, shipped in data/), so
its mayor can sign at once; four other communes with an executory deliberation; two whose
deliberation is sent to the sub-prefecture but not yet acknowledged; the others none, so the
circuit shows blocked slots and why. The other communes' facts are invented, and say so by their
plausible but unofficial numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import sqlalchemy as sa

from convsign.deliberations.services import DeliberationData, record_deliberation
from convsign.demo.conventions import REFERENCE
from convsign.extensions import db
from convsign.models import Convention, ConventionParty, Organisation, OrganisationKind
from convsign.models.deliberation import deliberation_of

LOISON_SIREN = "216205237"
SUBJECT = "Signature de la Convention Territoriale Globale avec la Caisse d'Allocations Familiales"
# Loison-sous-Lens, 13 December 2022, as its extract states. The two counts of members are
# inferred: 29 is the legal size of a council for 5,000–9,999 inhabitants (5,410 here), and
# 20 present = 29 − the 9 « absents excusés » the extract names; no proxy is mentioned.
LOISON = DeliberationData(
    session_date=date(2022, 12, 13),
    convocation_date=date(2022, 12, 5),
    members_in_office=29,
    members_present=20,
    members_represented=0,
    secretary="Khadija LANNABI",
    rapporteur="David GUIDE",
    subject=SUBJECT,
    unanimous=True,
    votes_for=None,
    votes_against=None,
    abstentions=None,
    number="del-131222-330",
    actes_identifier="062-216205237-20221213-del-131222-330-DE",
    sent_on=date(2022, 12, 19),
    acknowledged_on=date(2022, 12, 19),
    published_on=date(2022, 12, 19),
    publication_mode="Affiché",
    executory_on=date(2022, 12, 19),
)
EXECUTORY_OTHERS, SENT_ONLY = 4, 2
# CGCT L2121-2: council size by population (lower bound of each band).
COUNCIL_SIZES = (
    (100_000, 55),
    (80_000, 53),
    (60_000, 49),
    (50_000, 45),
    (40_000, 43),
    (30_000, 39),
    (20_000, 35),
    (10_000, 33),
    (5_000, 29),
    (3_500, 27),
    (2_500, 23),
    (1_500, 19),
    (500, 15),
    (100, 11),
    (0, 7),
)


def council_size(population: int | None) -> int:
    """The number of municipal councillors of a commune of `population` inhabitants."""
    return next(size for floor, size in COUNCIL_SIZES if (population or 0) >= floor)


def load_demo_deliberations(progress: Callable[[str], None] = lambda _m: None) -> int:
    """Record the demo CTG's deliberations that are missing; returns how many were recorded."""
    convention = db.session.scalar(sa.select(Convention).where(Convention.reference == REFERENCE))
    if convention is None:
        return 0
    communes = [p for p in convention.parties if p.organisation.kind == OrganisationKind.COMMUNE]
    others = sorted((p for p in communes if p.organisation.siren != LOISON_SIREN), key=lambda p: p.organisation.name)
    planned = [(p, LOISON) for p in communes if p.organisation.siren == LOISON_SIREN]
    planned += [(p, _invented(p.organisation, i, executory=True)) for i, p in enumerate(others[:EXECUTORY_OTHERS])]
    planned += [
        (p, _invented(p.organisation, i, executory=False))
        for i, p in enumerate(others[EXECUTORY_OTHERS : EXECUTORY_OTHERS + SENT_ONLY], start=EXECUTORY_OTHERS)
    ]
    recorded = sum(_record_once(party, data) for party, data in planned)
    progress(f"Délibérations de la CTG : {recorded} enregistrées")
    return recorded


def _record_once(party: ConventionParty, data: DeliberationData) -> bool:
    if deliberation_of(party) is not None or not party.deliberation_required:
        return False
    record_deliberation(party, data, actor=None)
    return True


def _invented(commune: Organisation, index: int, *, executory: bool) -> DeliberationData:
    """A plausible deliberation of `commune` in the weeks after Loison-sous-Lens'."""
    session = date(2022, 12, 5) + timedelta(days=3 * index)
    size = council_size(commune.population)
    number = f"{session.year}-{session.month:02d}-{40 + index:03d}"
    facts = replace(
        LOISON,
        session_date=session,
        convocation_date=session - timedelta(days=6),
        members_in_office=size,
        members_present=size - 3,
        members_represented=2,
        secretary="",
        rapporteur="",
        unanimous=index % 2 == 0,
        votes_for=None if index % 2 == 0 else size - 4,
        votes_against=None if index % 2 == 0 else 1,
        abstentions=None,
        number=number,
    )
    if not executory:  # sent to the sub-prefecture, no acknowledgement yet
        return replace(
            facts,
            actes_identifier=None,
            sent_on=session + timedelta(days=4),
            acknowledged_on=None,
            published_on=session + timedelta(days=4),
            executory_on=None,
        )
    sent = session + timedelta(days=5)
    return replace(
        facts,
        actes_identifier=f"062-{commune.siren}-{session:%Y%m%d}-{number}-DE",
        sent_on=sent,
        acknowledged_on=sent,
        published_on=sent,
        publication_mode="Publication électronique",
        executory_on=sent,
    )
