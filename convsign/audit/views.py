"""The journal page of a convention (thin over convsign.audit.journal)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from convsign.audit import bp, journal
from convsign.models.types import local_today


@bp.get("/conventions/<int:convention_id>/journal")
@login_required
def convention_journal(convention_id: int) -> str:
    """The convention's audit entries, newest first, as far as the person may read them."""
    # Imported here: every service that records imports this package, and conventions' own do.
    from convsign.conventions.access import may_manage, visible_convention

    convention = visible_convention(current_user, convention_id, local_today())
    return render_template(
        "audit/journal.html",
        convention=convention,
        rows=journal.journal(current_user, convention),
        whole=may_manage(current_user, convention),
    )
