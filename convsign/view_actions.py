"""Running one action from a page: one service call, then one commit, or a rollback and the reason.

Views validate the form, call `attempt` with the service call, and render or redirect; the
service flushes and never commits, so the action and its audit entry commit (or roll back) together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash

from convsign.errors import ConvsignError, ValidationFailed
from convsign.extensions import db

T = TypeVar("T")


def attempt(action: Callable[[], T]) -> T | ConvsignError:
    """Run `action`: commit what it did and return its result, or roll back and return its refusal."""
    try:
        result = action()
    except ConvsignError as error:
        db.session.rollback()
        return error
    db.session.commit()
    return result


def show_on_form(form: Any, error: ConvsignError, fallback: str | None = None) -> None:
    """Put a refusal beside the field it names (or the `fallback` field); else flash it above the page."""
    name = (error.field if isinstance(error, ValidationFailed) else None) or fallback
    field = getattr(form, name, None) if name else None
    if isinstance(error, ValidationFailed) and field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
