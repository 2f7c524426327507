"""Load the demonstration data, idempotently: running it twice changes nothing.

People are fictional. Passwords are random, generated once per account and written to
instance/demo-logins.txt (mode 0600): there is no default password anywhere.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import sqlalchemy as sa

from convsign.admin import services as admin
from convsign.admin.imports import import_communes
from convsign.auth.passwords import hash_password
from convsign.demo.conventions import ensure_demo_convention
from convsign.demo.deliberations import load_demo_deliberations
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import OfficeKind, Organisation, OrganisationKind, Role, User
from convsign.models.types import local_today

EPCI = admin.OrganisationData(OrganisationKind.EPCI, "Communauté d'Agglomération de Lens-Liévin", "246200364")
# A placeholder that passes the check digit: the CAF's real SIREN has not been checked.
CAF = admin.OrganisationData(OrganisationKind.CAF, "Caisse d'Allocations Familiales du Pas-de-Calais", "775718430")
CONFIRMED_SIRENS = {"216205237"}  # Loison-sous-Lens, from its deliberation's @ctes identifier
MANDATE_START = date(2020, 7, 3)
DOMAIN = "lens-lievin.example.org"
FIRST_NAMES = ("Camille", "Dominique", "Claude", "Alix", "Sacha", "Morgan", "Stéphane", "Frédérique", "Michel",
               "Annie", "Jean-Luc", "Véronique", "Hervé", "Sylvie", "Rachid", "Nadia", "Bernard", "Chantal")
LAST_NAMES = ("Lefebvre", "Dubois", "Lemaire", "Duhamel", "Carpentier", "Delattre", "Vasseur", "Lenglet",
              "Caron", "Dufour", "Hennebelle", "Wallart", "Szymczak", "Kowalski", "Boulanger", "Delporte")


@dataclass(frozen=True)
class DemoLogin:
    """One demonstration account and its password."""

    role: str
    email: str
    password: str


def communes_csv() -> str:
    """The shipped CSV of the 36 communes."""
    return resources.files("convsign.demo").joinpath("data/communes-lens-lievin.csv").read_text("utf-8")


def load_demo(logins_file: Path, progress: Callable[[str], None] = lambda _m: None) -> list[DemoLogin]:
    """Create (or complete) the demonstration; returns every demo login."""
    passwords = _read_logins(logins_file)
    epci = _ensure_org(EPCI, None)
    caf = _ensure_org(CAF, None)
    progress("Intercommunalité et CAF")
    report = import_communes(communes_csv())
    if report.errors:
        raise ValidationFailed("; ".join(f"ligne {line} : {reason}" for line, reason in report.errors))
    _mark_confirmed_sirens()
    progress(f"Communes : {report.created} créées, {report.updated} mises à jour, {report.unchanged} inchangées")
    logins = [
        _ensure_user("admin", "Administration convsign", f"admin@{DOMAIN}", {Role.ADMIN}, epci, passwords=passwords),
        _ensure_user("coordinateur", "Claire Coordinatrice", f"coordination@{DOMAIN}", {Role.COORDINATOR},
                     epci, passwords=passwords),
    ]
    logins += _ensure_officers(epci, caf, passwords, progress)
    _write_logins(logins_file, logins)
    ensure_demo_convention(epci, caf, f"coordination@{DOMAIN}", progress)
    load_demo_deliberations(progress)
    return logins


def of(name: str) -> str:
    """French « de » with its elision before a vowel: « d'Annay », « de Lens »."""
    return f"d'{name}" if name[:1].lower() in "aeiouyéèêâîô" else f"de {name}"


def _ensure_org(data: admin.OrganisationData, actor: User | None) -> Organisation:
    existing = db.session.scalar(sa.select(Organisation).where(Organisation.siren == data.siren))
    return existing if existing is not None else admin.save_organisation(data, actor)


def _mark_confirmed_sirens() -> None:
    for org in db.session.scalars(sa.select(Organisation).where(Organisation.siren.in_(CONFIRMED_SIRENS))):
        org.siren_verified = True


def _ensure_officers(epci: Organisation, caf: Organisation, passwords: dict[str, str],
                     progress: Callable[[str], None]) -> list[DemoLogin]:
    logins = [
        _ensure_officer(epci, OfficeKind.PRESIDENT, f"Président de la {epci.name}", 0, passwords),
        _ensure_officer(caf, OfficeKind.DIRECTOR, f"Directeur de la {caf.name}", 1, passwords),
    ]
    communes = db.session.scalars(sa.select(Organisation).where(Organisation.parent_id == epci.id)
                                  .order_by(Organisation.name)).all()
    for index, commune in enumerate(communes, start=2):
        logins.append(_ensure_officer(commune, OfficeKind.MAYOR, f"Maire {of(commune.name)}", index, passwords))
    progress(f"Élus et directeurs : {len(logins)} comptes")
    return logins


def _ensure_officer(org: Organisation, kind: OfficeKind, title: str, index: int,
                    passwords: dict[str, str]) -> DemoLogin:
    name = f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[(index * 7) % len(LAST_NAMES)]}"
    local = {OfficeKind.MAYOR: "maire", OfficeKind.PRESIDENT: "president"}.get(kind, "direction")
    email = f"{local}.{org.insee_code or org.siren}@{DOMAIN}"
    login = _ensure_user(title, name, email, {Role.SIGNATORY}, org, passwords=passwords)
    office = admin.find_or_create_office(org.id, kind, title)
    if office.holder_on(local_today()) is None:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        admin.save_mandate(admin.MandateData(org.id, kind, title, user.id, MANDATE_START, None), actor=None)
    return login


def _ensure_user(role: str, name: str, email: str, roles: set[Role], org: Organisation, *,
                 passwords: dict[str, str]) -> DemoLogin:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = admin.save_user(admin.UserData(name, email, frozenset(roles), org.id), actor=None)
    password = passwords.get(email)
    if password is None or user.password_hash is None:
        password = secrets.token_urlsafe(9)
        user.password_hash = hash_password(password)
    return DemoLogin(role, email, password)


def _read_logins(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("\t") for line in path.read_text("utf-8").splitlines()[1:] if line.count("\t") == 2)
    return {email: password for _role, email, password in pairs}


def _write_logins(path: Path, logins: list[DemoLogin]) -> None:
    lines = ["rôle\tadresse\tmot de passe", *(f"{lg.role}\t{lg.email}\t{lg.password}" for lg in logins)]
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    path.with_suffix(".tmp").replace(path)
