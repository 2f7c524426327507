"""French public identifiers: SIREN (python-stdnum checks its Luhn digit) and INSEE commune codes."""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren

INSEE_COMMUNE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB])\d{3}$|^97[1-6]\d{2}$")


class InvalidIdentifier(ValueError):
    """An identifier that fails its format or check digit; `reason` is a stable code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_siren(value: str) -> str:
    """The 9-digit SIREN in `value` (spaces allowed), or InvalidIdentifier('format'|'checksum')."""
    try:
        return str(stdnum_siren.validate(value))
    except stdnum_errors.InvalidChecksum as error:
        raise InvalidIdentifier("checksum") from error
    except stdnum_errors.ValidationError as error:
        raise InvalidIdentifier("format") from error


def normalise_insee(value: str) -> str:
    """The INSEE commune code in `value` (upper-cased, for Corsica's 2A/2B), or InvalidIdentifier."""
    code = value.strip().upper()
    if not INSEE_COMMUNE.match(code):
        raise InvalidIdentifier("format")
    return code
