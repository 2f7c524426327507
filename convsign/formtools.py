"""Small helpers shared by the WTForms forms of every feature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs; values become strings, as the browser sends them."""
    return [SelectChoice("" if value is None else str(value), label) for value, label in pairs]
