"""A generated load for the dashboard: N conventions of 40 signatories, inserted in bulk.

One EPCI, one CAF and 38 communes, one signing office each, their holders and a coordinator, are
shared by every convention (as in life: the same territory signs convention after convention).
Rows go in through SQLAlchemy's bulk INSERT (executemany), so 500 conventions x 40 slots take a
few seconds on SQLite and PostgreSQL. Used by tests/web/test_dashboard.py and
bench/dashboard_bench.py; call inside an app context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from stdnum import luhn

from convsign.auth.passwords import hash_password
from convsign.extensions import db
from convsign.models import (
    Convention,
    ConventionKind,
    ConventionParty,
    ConventionStatus,
    Mandate,
    Office,
    OfficeKind,
    Organisation,
    OrganisationKind,
    Role,
    Signatory,
    SlotState,
    User,
    UserRole,
)
from convsign.models.types import local_today

COMMUNES = 38
OPENED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
COORDINATOR_EMAIL = "coordination@charge.example.org"


@dataclass(frozen=True)
class LoadTerritory:
    """The shared territory: its EPCI and CAF, its 40 signing offices (stage by office), its coordinator."""

    epci_id: int
    caf_id: int
    offices: list[tuple[int, int, int]]  # (office id, organisation id, stage)
    coordinator_email: str


def _siren(n: int) -> str:
    base = f"2499{n:04d}"
    return base + luhn.calc_check_digit(base)


def _insert(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` in one executemany and return their ids, in order."""
    result = db.session.execute(sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def build_territory(password: str) -> LoadTerritory:
    """The EPCI, the CAF, 38 communes, their offices and holders, and a coordinator who may log in."""
    kinds = [OrganisationKind.EPCI, OrganisationKind.CAF, *[OrganisationKind.COMMUNE] * COMMUNES]
    names = ["Agglomération de charge", "CAF de charge", *[f"Commune de charge {i:02d}" for i in range(COMMUNES)]]
    org_ids = _insert(
        Organisation,
        [
            {"kind": k, "name": n, "siren": _siren(i), "siren_verified": False, "active": True}
            for i, (k, n) in enumerate(zip(kinds, names, strict=True))
        ],
    )
    office_kinds = [OfficeKind.PRESIDENT, OfficeKind.DIRECTOR, *[OfficeKind.MAYOR] * COMMUNES]
    office_ids = _insert(
        Office,
        [
            {"organisation_id": o, "kind": k, "title": f"Signataire de {n}"}
            for o, k, n in zip(org_ids, office_kinds, names, strict=True)
        ],
    )
    users = _users(len(office_ids), org_ids, password)
    db.session.execute(
        sa.insert(Mandate),
        [
            {"office_id": office, "user_id": user, "start_date": date(2020, 7, 3)}
            for office, user in zip(office_ids, users[1:], strict=True)
        ],
    )
    stages = [2, 3, *[1] * COMMUNES]
    return LoadTerritory(org_ids[0], org_ids[1], list(zip(office_ids, org_ids, stages, strict=True)), COORDINATOR_EMAIL)


def _users(holders: int, org_ids: list[int], password: str) -> list[int]:
    """The coordinator (first) and one holder per office, with their roles."""
    rows = [
        {
            "name": "Coordination de charge",
            "email": COORDINATOR_EMAIL,
            "password_hash": hash_password(password),
            "organisation_id": org_ids[0],
        }
    ]
    rows += [
        {
            "name": f"Élu·e de charge {i:02d}",
            "email": f"elu{i:02d}@charge.example.org",
            "password_hash": None,
            "organisation_id": org_ids[i],
        }
        for i in range(holders)
    ]
    for row in rows:
        row.update(preferred_language="fr", active=True, security_stamp=f"stamp-{row['email']}")
    ids = _insert(User, rows)
    roles = [Role.COORDINATOR] + [Role.SIGNATORY] * holders
    db.session.execute(sa.insert(UserRole), [{"user_id": u, "role": r} for u, r in zip(ids, roles, strict=True)])
    return ids


def add_conventions(territory: LoadTerritory, count: int, first: int = 0) -> list[int]:
    """`count` conventions numbered from `first`, in varied states, each with 40 parties and slots."""
    ids = _insert(Convention, [_convention(territory, first + i) for i in range(count)])
    parties, slots = [], []
    for n, convention_id in enumerate(ids, start=first):
        for position, (office_id, org_id, stage) in enumerate(territory.offices):
            parties.append(
                {
                    "convention_id": convention_id,
                    "organisation_id": org_id,
                    "position": position,
                    "deliberation_required": False,
                }
            )
            slots.append(_slot(convention_id, n, position, office_id, stage))
    db.session.execute(sa.insert(ConventionParty), parties)
    db.session.execute(sa.insert(Signatory), slots)
    db.session.commit()
    return ids


def _is_draft(n: int) -> bool:
    """One convention in 25 is still a draft."""
    return n % 25 == 24


def _convention(territory: LoadTerritory, n: int) -> dict[str, Any]:
    draft, today = _is_draft(n), local_today()
    return {
        "title": f"Convention de charge n° {n:04d}",
        "reference": f"CHARGE-{n:04d}",
        "kind": ConventionKind.CTG,
        "lead_id": territory.epci_id,
        "caf_id": territory.caf_id,
        "start_date": date(2027, 1, 1),
        "end_date": date(2030, 12, 31),
        "preamble": "",
        "steering_committee": "",
        # Every seventh convention has a deadline already past: its open slots are blocked.
        "deadline": today - timedelta(days=30) if n % 7 == 3 else today + timedelta(days=180 + n % 90),
        "status": ConventionStatus.DRAFT if draft else ConventionStatus.CIRCULATING,
        "revision_count": 0 if draft else 1 + n % 38,
        "version": 1,
        "created_at": OPENED - timedelta(days=1),
        "opened_at": None if draft else OPENED + timedelta(hours=n),
    }


def _slot(convention_id: int, n: int, position: int, office_id: int, stage: int) -> dict[str, Any]:
    """Commune slots (positions 2…39) signed in order up to n % 38; one convention in 11 has a refusal."""
    circulating = stage == 1 and not _is_draft(n)
    signed = circulating and position - 2 < n % 38
    refused = circulating and n % 11 == 5 and position - 2 == n % 38
    state = SlotState.SIGNED if signed else SlotState.REFUSED if refused else SlotState.OPEN
    opened = OPENED + timedelta(hours=n)
    return {
        "convention_id": convention_id,
        "office_id": office_id,
        "stage": stage,
        "position": position,
        "field_name": f"S{position + 1:02d}_charge",
        "state": state,
        "invited_at": opened if circulating else None,
        "reminded_at": opened + timedelta(days=7) if circulating and position % 5 == 0 and not signed else None,
        "signed_at": opened + timedelta(days=1, minutes=position) if signed else None,
        "signed_revision": position if signed else None,
        "refused_at": opened + timedelta(days=2) if refused else None,
        "refusal_reason": "Le conseil municipal n'a pas encore délibéré." if refused else None,
    }
