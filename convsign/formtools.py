"""Small helpers shared by the WTForms forms of every feature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs; values become strings, as the browser sends them."""
    return [SelectChoice("" if value is None else str(value), label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes: easier to use than a multiple select, with a keyboard too."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
