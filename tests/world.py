"""A small territory for tests: an EPCI, a CAF, N communes, their signing offices and holders.

Built through the real services (admin, conventions), committed, and described by plain values
so tests can use it from any app context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import Flask
from stdnum import luhn

from convsign.admin import services as admin
from convsign.conventions import services as conventions
from convsign.extensions import db
from convsign.models import (
    Convention,
    ConventionKind,
    ObjectiveDomain,
    OfficeKind,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from tests.conftest import TEST_PASSWORD

PASSPHRASE = "ma phrase secrète de signature"


@dataclass
class Holder:
    """A signing office and the person holding it."""

    office_id: int
    organisation_id: int
    user_id: int
    email: str
    title: str
    stage: int


@dataclass
class Territory:
    """What `build_territory` made."""

    epci_id: int
    caf_id: int
    commune_ids: list[int]
    coordinator_email: str
    holders: list[Holder] = field(default_factory=list)

    def holder(self, title_part: str) -> Holder:
        return next(h for h in self.holders if title_part in h.title)


def _siren(n: int, prefix: str) -> str:
    base = f"{prefix}{n:05d}"[:8]
    return base + luhn.calc_check_digit(base)


def build_territory(app: Flask, communes: int = 2, prefix: str = "216", department: str = "62") -> Territory:
    """An EPCI with `communes` communes, a CAF, a coordinator, and one holder per signing office."""
    with app.app_context():
        epci = admin.save_organisation(admin.OrganisationData(
            OrganisationKind.EPCI, "Communauté d'agglomération d'essai", _siren(1, prefix[:2] + "4")), None)
        caf = admin.save_organisation(admin.OrganisationData(
            OrganisationKind.CAF, "CAF d'essai", _siren(2, prefix[:2] + "7")), None)
        towns = [admin.save_organisation(admin.OrganisationData(
            OrganisationKind.COMMUNE, f"Commune {i}", _siren(10 + i, prefix), f"{department}{i:03d}", 1000,
            epci.id), None) for i in range(1, communes + 1)]
        coordinator = _user("Claire Coordinatrice", f"coord.{prefix}@example.org", {Role.COORDINATOR}, epci)
        territory = Territory(epci.id, caf.id, [t.id for t in towns], coordinator.email)
        for org, kind, title, stage in [
            *[(t, OfficeKind.MAYOR, f"Maire de {t.name}", 1) for t in towns],
            (epci, OfficeKind.PRESIDENT, f"Président de la {epci.name}", 2),
            (caf, OfficeKind.DIRECTOR, f"Directeur de la {caf.name}", 3),
        ]:
            territory.holders.append(_holder(org, kind, title, stage, prefix))
        db.session.commit()
        return territory


def _user(name: str, email: str, roles: set[Role], org: Organisation) -> User:
    user = admin.save_user(admin.UserData(name, email, frozenset(roles), org.id), None)
    from convsign.auth.passwords import hash_password

    user.password_hash = hash_password(TEST_PASSWORD)
    return user


def _holder(org: Organisation, kind: OfficeKind, title: str, stage: int, prefix: str) -> Holder:
    place = title.rsplit(" de ", maxsplit=1)[-1]
    user = _user(f"Élu·e {place} ’test’", f"{kind.value}.{org.siren}.{prefix}@example.org", {Role.SIGNATORY}, org)
    mandate = admin.save_mandate(admin.MandateData(org.id, kind, title, user.id, date(2020, 7, 3), None), None)
    return Holder(mandate.office_id, org.id, user.id, user.email, title, stage)


def convention_data(territory: Territory, title: str = "Convention Territoriale Globale 2027-2030") -> \
        conventions.ConventionData:
    """A CTG between the territory's parties, every holder in their default stage."""
    start, end = conventions.ctg_period(2027)
    parties = (territory.epci_id, territory.caf_id, *territory.commune_ids)
    return conventions.ConventionData(
        title=title, reference="CTG-2027-TEST", kind=ConventionKind.CTG, lead_id=territory.epci_id,
        caf_id=territory.caf_id, start=start, end=end, preamble="Préambule : un projet social de territoire.",
        steering_committee="Un comité de pilotage réunit les parties deux fois par an.", deadline=None,
        party_ids=parties,
        objectives=(conventions.ObjectiveData(ObjectiveDomain.YOUTH, "Proposer une offre jeunesse harmonisée."),
                    conventions.ObjectiveData(ObjectiveDomain.HOUSING, "Favoriser l'accès au logement.")),
        signatories=tuple(conventions.SignatoryData(h.office_id, h.stage) for h in territory.holders))


def open_convention(app: Flask, territory: Territory, title: str = "Convention Territoriale Globale 2027-2030", *,
                    waive_deliberations: bool = True) -> int:
    """Create and open a convention through the services; returns its id.

    By default every party is dispensed from the council deliberation (the French layer's gate),
    so tests about signing need not record one; `waive_deliberations=False` keeps the gate.
    """
    with app.app_context():
        coordinator = db.session.scalar(db.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        convention: Convention = conventions.save_draft(convention_data(territory, title), coordinator)
        if waive_deliberations:
            waive_all(convention)
        conventions.open_convention(convention, coordinator, datetime.now(UTC))
        db.session.commit()
        return convention.id


def waive_all(convention: Convention) -> None:
    """Dispense every party from the deliberation, as a coordinator may (unaudited: test set-up)."""
    for party in convention.parties:
        party.deliberation_required, party.waiver_reason = False, "Convention d'essai"
