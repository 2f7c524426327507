"""Import communes from a CSV (insee,name,population,siren,epci_siren), idempotently.

Every row is checked before anything is written: one bad row and nothing is imported, and
each bad row is reported with its line number and reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign.admin.services import (
    OrganisationData,
    checked_insee,
    checked_siren,
    save_organisation,
)
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import Organisation, OrganisationKind, User

COLUMNS = ("insee", "name", "population", "siren", "epci_siren")


@dataclass
class ImportReport:
    """What an import did, or would have done."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CommuneRow:
    """A checked row."""

    line: int
    data: OrganisationData


def parse_rows(text: str) -> tuple[list[CommuneRow], list[tuple[int, str]]]:
    """Check every row; return the good ones and (line, reason) for the bad ones."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, _("Colonnes manquantes : %(cols)s", cols=", ".join(missing)))]
    rows: list[CommuneRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            parsed = _parse_row(row, line)
        except ValidationFailed as error:
            errors.append((line, error.message))
            continue
        if parsed.data.siren in seen:
            errors.append((line, _("SIREN déjà présent à la ligne %(n)s.", n=seen[parsed.data.siren])))
            continue
        seen[parsed.data.siren] = line
        rows.append(parsed)
    return rows, errors


def _parse_row(row: dict[str, str | None], line: int) -> CommuneRow:
    name = (row.get("name") or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(_("Le nom de la commune est vide ou trop long."))
    population = (row.get("population") or "").strip()
    if population and not population.isdigit():
        raise ValidationFailed(_("La population doit être un nombre entier."))
    kind = OrganisationKind.COMMUNE
    siren = checked_siren(row.get("siren") or "")
    insee = checked_insee(row.get("insee") or "", kind)
    parent = _epci_by_siren(checked_siren(row.get("epci_siren") or ""))
    return CommuneRow(line, OrganisationData(kind, name, siren, insee, int(population) if population else None,
                                             parent.id))


def _epci_by_siren(siren: str) -> Organisation:
    epci = db.session.scalar(sa.select(Organisation).where(
        Organisation.siren == siren, Organisation.kind == OrganisationKind.EPCI))
    if epci is None:
        raise ValidationFailed(_("Aucune intercommunalité de SIREN %(siren)s : créez-la d'abord.", siren=siren))
    return epci


def import_communes(text: str, actor: User | None = None,
                    progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Create or update the communes of the CSV; nothing is written if any row is bad."""
    rows, errors = parse_rows(text)
    report = ImportReport(errors=errors)
    if errors:
        return report
    for index, row in enumerate(rows, start=1):
        _upsert(row, actor, report)
        if progress:
            progress(index, len(rows))
    return report


def _upsert(row: CommuneRow, actor: User | None, report: ImportReport) -> None:
    existing = db.session.scalar(sa.select(Organisation).where(Organisation.siren == row.data.siren))
    if existing is not None and _same(existing, row.data):
        report.unchanged += 1
        return
    try:
        save_organisation(row.data, actor, existing)
    except ValidationFailed as error:
        report.errors.append((row.line, error.message))
        return
    if existing is None:
        report.created += 1
    else:
        report.updated += 1


def _same(org: Organisation, data: OrganisationData) -> bool:
    return (org.kind, org.name, org.insee_code, org.population, org.parent_id) == (
        data.kind, data.name, data.insee_code, data.population, data.parent_id)
