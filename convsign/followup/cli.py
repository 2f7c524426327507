"""`flask --app app remind` and `flask --app app expire`: what cron runs each day, before `outbox send`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from convsign.extensions import db
from convsign.followup.reminders import expire_due, remind_due
from convsign.models.types import local_today, utcnow
from convsign.outbox.delivery import deliver_due
from convsign.terminal import require_migrated


def _expire() -> None:
    expired = expire_due(utcnow(), local_today())
    db.session.commit()
    for convention_id in expired:
        click.echo(f"… convention {convention_id} expirée (date limite dépassée)", err=True)
    click.echo(f"{len(expired)} convention(s) marquée(s) expirée(s).")


@click.command("expire")
@with_appcontext
def expire_command() -> None:
    """Mark 'expirée' the circulating conventions past their deadline (audited; coordinators told)."""
    require_migrated()
    _expire()
    _deliver()


@click.command("remind")
@click.option("--days", type=int, default=None, help="Jours entre deux relances (défaut : CONVSIGN_REMINDER_DAYS).")
@with_appcontext
def remind_command(days: int | None) -> None:
    """Expire what is past its deadline, then remind each signatory whose turn came N days ago."""
    require_migrated()
    _expire()
    period = days or int(current_app.config["REMINDER_DAYS"])
    reminded = remind_due(utcnow(), local_today(), period)
    db.session.commit()
    for item in reminded:
        click.echo(f"… convention {item.convention_id} : relance de « {item.office} »", err=True)
    click.echo(f"{len(reminded)} relance(s) mise(s) en file (au plus une tous les {period} jours par signataire).")
    _deliver()


def _deliver() -> None:
    """Best effort: what fails here stays queued for `flask --app app outbox send`."""
    report = deliver_due(limit=500)
    if report.claimed:
        click.echo(f"{report.sent} courriel(s) envoyé(s), {report.failed + report.abandoned} en échec.", err=True)
