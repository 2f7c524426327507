"""Language choice and French date forms ("1er janvier 2023", "13/12/2022")."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from convsign import labels


def select_locale() -> str:
    """French unless the person chose otherwise (profile, then the language switch).

    The browser's Accept-Language is deliberately not followed: town-hall machines often run
    an English browser, and the product is French first.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user.is_authenticated and current_user.preferred_language in languages:
        return str(current_user.preferred_language)
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def long_date(day: date | datetime | None, locale: str | None = None) -> str:
    """'13 décembre 2022', '1er janvier 2023'; 'January 1, 2023' in English."""
    if day is None:
        return ""
    loc = formatting_locale(locale)
    day = _local_day(day)
    if loc.startswith("fr"):
        text = format_date(day, "d MMMM y", locale="fr")
        return "1er" + text[1:] if day.day == 1 else text
    return format_date(day, "long", locale=loc)


def short_date(day: date | datetime | None, locale: str | None = None) -> str:
    """'13/12/2022' in French, the locale's short form otherwise."""
    if day is None:
        return ""
    loc = formatting_locale(locale)
    day = _local_day(day)
    return format_date(day, "dd/MM/y" if loc.startswith("fr") else "short", locale=loc)


def long_datetime(moment: datetime | None, locale: str | None = None) -> str:
    """'13 décembre 2022 à 10:05' in Paris time; '13 December 2022 at 10:05' in English (never 'Dec')."""
    if moment is None:
        return ""
    loc = formatting_locale(locale)
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if loc.startswith("fr"):
        return long_date(_to_tz(moment, tz), loc) + " à " + format_datetime(moment, "HH:mm", tzinfo=tz, locale="fr")
    return long_date(_to_tz(moment, tz), loc) + " at " + format_datetime(moment, "HH:mm", tzinfo=tz, locale=loc)


def formatting_locale(locale: str | None = None) -> str:
    """The locale dates are written in: French, or British English (day month year, 24-hour clock)."""
    loc = locale or str(get_locale() or "fr")
    return "en_GB" if loc == "en" else loc


def _local_day(day: date | datetime) -> date:
    """The calendar day in France: 23:30 UTC on 31 December is already 1 January in Paris."""
    if isinstance(day, datetime):
        if day.tzinfo is not None:
            day = _to_tz(day, str(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        return day.date()
    return day


def _to_tz(moment: datetime, tz: str) -> datetime:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz))


def register_template_filters(app: Flask) -> None:
    """Make the date forms available to templates."""
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(short_date, "short_date")
    app.add_template_filter(long_datetime, "long_datetime")

    @app.context_processor
    def inject_language() -> dict[str, object]:
        return {
            "current_language": str(get_locale() or "fr"),
            "request_path": request.path,
            "organisation_kinds": labels.ORGANISATION_KINDS,
            "role_labels": labels.ROLES,
            "office_kinds": labels.OFFICE_KINDS,
            "slot_status_labels": labels.SLOT_STATUSES,
            "convention_statuses": labels.CONVENTION_STATUSES,
        }
