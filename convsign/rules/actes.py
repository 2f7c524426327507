"""The @ctes identifier of an act transmitted to the prefecture, parsed with one anchored expression.

`062-216205237-20221213-del-131222-330-DE` is the department on three characters, the SIREN of
the authority, the decision date (YYYYMMDD), the authority's internal number and the nature of
the act. The internal number may itself contain `-`, so the identifier is never split on `-`:
the expression anchors the fixed parts at both ends and the internal number takes what is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren

# The fixed parts are anchored at both ends; the internal number (greedy) keeps every `-` in it.
ACTES_IDENTIFIER = re.compile(
    r"^(?P<department>[0-9]{2}[0-9AB])"
    r"-(?P<siren>[0-9]{9})"
    r"-(?P<decision_date>[0-9]{8})"
    r"-(?P<internal_number>.+)"
    r"-(?P<nature>[A-Za-z]{2})$"
)
# The @ctes schema's rule for the internal number: 1 to 15 characters, alphanumeric at both ends.
INTERNAL_NUMBER = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9\-_ ]{0,13})?[A-Za-z0-9]")
NATURES = {
    "DE": "délibérations",
    "AR": "actes réglementaires",
    "AI": "actes individuels",
    "CC": "contrats et conventions",
    "BF": "documents budgétaires",
    "AU": "autres",
}
DELIBERATION_NATURE = "DE"


class ActesError(ValueError):
    """An identifier that cannot be an @ctes identifier; `code` is stable, `details` structured.

    Codes: `format` (not the five parts), `siren_checksum`, `decision_date` (no such day),
    `internal_number` (breaks the schema rule), `nature` (unknown nature code).
    """

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class ActesIdentifier:
    """The five parts of an @ctes identifier."""

    department: str
    siren: str
    decision_date: date
    internal_number: str
    nature: str

    def __str__(self) -> str:
        return "-".join(
            (self.department, self.siren, self.decision_date.strftime("%Y%m%d"), self.internal_number, self.nature)
        )


def parse_actes_identifier(value: str) -> ActesIdentifier:
    """The parts of `value` (surrounding spaces ignored), or ActesError with the first fault found."""
    match = ACTES_IDENTIFIER.match(value.strip())
    if match is None:
        raise ActesError("format")
    parts = match.groupdict()
    return ActesIdentifier(
        department=parts["department"],
        siren=_checked_siren(parts["siren"]),
        decision_date=_checked_date(parts["decision_date"]),
        internal_number=_checked_internal_number(parts["internal_number"]),
        nature=_checked_nature(parts["nature"]),
    )


def _checked_siren(value: str) -> str:
    try:
        return str(stdnum_siren.validate(value))
    except stdnum_errors.ValidationError as error:
        raise ActesError("siren_checksum", siren=value) from error


def _checked_date(value: str) -> date:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as error:
        raise ActesError("decision_date", value=value) from error


def _checked_internal_number(value: str) -> str:
    if INTERNAL_NUMBER.fullmatch(value) is None:
        raise ActesError("internal_number", length=len(value))
    return value


def _checked_nature(value: str) -> str:
    if value not in NATURES:
        raise ActesError("nature", nature=value)
    return value


@dataclass(frozen=True)
class ActesMismatch:
    """A parsed identifier that does not fit the deliberation it is given for; `code` is stable."""

    code: str  # "siren_mismatch" | "date_mismatch" | "nature_not_deliberation"
    details: dict[str, str] = field(default_factory=dict)


def deliberation_mismatches(
    identifier: ActesIdentifier, authority_siren: str, session_date: date
) -> list[ActesMismatch]:
    """Why `identifier` cannot be that of a deliberation of `authority_siren` held on `session_date`."""
    found = []
    if identifier.siren != authority_siren:
        found.append(ActesMismatch("siren_mismatch", {"found": identifier.siren, "expected": authority_siren}))
    if identifier.decision_date != session_date:
        found.append(
            ActesMismatch(
                "date_mismatch", {"found": identifier.decision_date.isoformat(), "expected": session_date.isoformat()}
            )
        )
    if identifier.nature != DELIBERATION_NATURE:
        found.append(ActesMismatch("nature_not_deliberation", {"found": identifier.nature}))
    return found
