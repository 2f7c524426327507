"""The dashboard as a CSV file for a spreadsheet: one row per signatory, with its convention's columns.

French Excel expects `;` between columns and reads UTF-8 only after a byte-order mark; dates are
written dd/mm/yyyy, which it recognises as dates. A cell that starts like a formula is prefixed
with an apostrophe: a convention title typed as `=HYPERLINK(…)` must stay text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import gettext as _

from convsign import labels
from convsign.dashboard.loading import local_day
from convsign.dashboard.services import ConventionRow, SlotRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def header() -> list[str]:
    """The column titles, in French."""
    return [
        _("N° convention"),
        _("Titre"),
        _("Référence"),
        _("État"),
        _("Intercommunalité"),
        _("Ouverte le"),
        _("Date limite"),
        _("Signées"),
        _("Signataires"),
        _("Étape"),
        _("Signataire"),
        _("Organisation"),
        _("Titulaire"),
        _("Statut"),
        _("Motif"),
        _("À signer depuis le"),
        _("Relancé le"),
        _("Signé le"),
        _("Signé par"),
        _("Révision signée"),
        _("Refusé le"),
    ]


def csv_bytes(rows: Iterable[ConventionRow]) -> bytes:
    """The whole export, encoded for Excel (UTF-8 with BOM, `;`, CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header())
    for row in rows:
        for slot_row in row.slots:
            writer.writerow([safe(value) for value in _line(row, slot_row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _line(row: ConventionRow, slot_row: SlotRow) -> list[object]:
    convention, slot, status = row.convention, slot_row.slot, slot_row.status
    return [
        convention.id,
        convention.title,
        convention.reference,
        labels.CONVENTION_STATUSES[convention.status],
        convention.lead.name,
        day(convention.opened_at),
        day(convention.deadline),
        row.signed,
        row.total,
        slot.stage,
        slot.office.title,
        slot.office.organisation.name,
        slot_row.holder or "",
        labels.SLOT_STATUSES[status.code],
        status.reason or "",
        day(slot.invited_at),
        day(slot.reminded_at),
        day(slot.signed_at),
        slot.signed_by.name if slot.signed_by else "",
        slot.signed_revision or "",
        day(slot.refused_at),
    ]


def day(value: date | datetime | None) -> str:
    """dd/mm/yyyy, the day taken in Paris for a moment; empty when there is none."""
    if isinstance(value, datetime):
        value = local_day(value)
    return value.strftime("%d/%m/%Y") if value is not None else ""


def safe(value: object) -> str:
    """The cell's text, an apostrophe first when a spreadsheet would take it for a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
