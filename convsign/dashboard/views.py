"""Dashboard pages: the conventions followed, their CSV export, and a convention's timeline."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from convsign import labels
from convsign.conventions import access
from convsign.dashboard import services
from convsign.dashboard.blueprint import bp
from convsign.dashboard.export import csv_bytes
from convsign.dashboard.forms import FilterForm
from convsign.dashboard.loading import local_day
from convsign.dashboard.timeline import timeline
from convsign.i18n import long_date
from convsign.models import Role
from convsign.models.types import local_today
from convsign.permissions import roles_required

FOLLOWERS = (Role.ADMIN, Role.COORDINATOR)


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    form.set_choices(services.epci_choices(current_user, local_today()))
    return form


def _filter_args() -> dict[str, Any]:
    """The filters of this request's address, to carry over to another address."""
    return {key: value for key, value in request.args.items() if key != "page"}


def page_url(number: int) -> str:
    """This page's address with the same filters, at page `number`."""
    return url_for("dashboard.index", **_filter_args(), page=number)


def day_formatter() -> Callable[[datetime | None], str]:
    """'2 mars 2026' for a moment, its day taken in Paris; memoised for the page (slots share days)."""
    formatted = functools.lru_cache(maxsize=None)(long_date)

    def day(moment: datetime | None) -> str:
        return formatted(local_day(moment))

    return day


def slot_texts() -> dict[str, Any]:
    """The texts of a slot's cell, translated once per page rather than once per slot (2,000 a page)."""
    return {
        "status": {code: str(label) for code, label in labels.SLOT_STATUSES.items()},
        "no_holder": _("aucun titulaire"),
        "since": _("depuis le %(date)s"),
        "on": _("le %(date)s"),
        "by": _("par %(name)s"),
        "revision": _("révision %(n)s signée (PDF)"),
        "reason": _("Motif : %(reason)s"),
        "unspecified": _("non précisé"),
        "reminded": _("relancé le %(date)s"),
    }


@bp.get("/tableau-de-bord")
@roles_required(*FOLLOWERS)
def index() -> str:
    """Every convention followed, its progress, and each signatory's status (50 conventions a page)."""
    form = _filter_form()
    today = local_today()
    page = services.page(current_user, form.filters(request.args.get("page", 1, type=int) or 1), today)
    return render_template(
        "dashboard/index.html",
        form=form,
        page=page,
        page_url=page_url,
        labels=labels,
        day=day_formatter(),
        t=slot_texts(),
        page_size=services.PAGE_SIZE,
        export_url=url_for("dashboard.export", **_filter_args()),
    )


@bp.get("/tableau-de-bord/export.csv")
@roles_required(*FOLLOWERS)
def export() -> Response:
    """The same rows, every page, one line per signatory, for a spreadsheet."""
    filters = _filter_form().filters(1)
    today = local_today()
    body = csv_bytes(services.all_rows(current_user, filters, today))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="tableau-de-bord-{today.isoformat()}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/conventions/<int:convention_id>/chronologie")
@roles_required(*FOLLOWERS)
def chronology(convention_id: int) -> str:
    """Everything that happened to a convention, newest first."""
    convention = access.managed_convention(current_user, convention_id)
    return render_template("dashboard/timeline.html", convention=convention, events=timeline(convention), labels=labels)
