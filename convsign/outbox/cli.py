"""`flask --app app outbox send`: deliver what is due (for cron), with progress and a clear exit code."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from convsign.outbox.delivery import deliver_due
from convsign.terminal import fail, require_migrated

outbox_group = click.Group("outbox", help="La file des courriels : les remettre au serveur de messagerie.")


@outbox_group.command("send")
@click.option("--batch", default=50, show_default=True, help="Messages réservés à la fois.")
@with_appcontext
def send_command(batch: int) -> None:
    """Deliver every due message; exit 1 if any could not be delivered (it stays queued)."""
    require_migrated()
    sent = failed = abandoned = 0
    while True:
        report = deliver_due(limit=batch)
        if not report.claimed:
            break
        sent, failed, abandoned = sent + report.sent, failed + report.failed, abandoned + report.abandoned
        click.echo(f"… {sent} envoyé(s), {failed} en échec, {abandoned} abandonné(s)", err=True)
        for error in dict.fromkeys(report.errors):
            click.echo(f"  {error}", err=True)
    click.echo(f"{sent} message(s) envoyé(s), {failed} à réessayer, {abandoned} abandonné(s).")
    if failed or abandoned:
        fail("Des messages n'ont pas pu être remis : ils restent dans la file (voir Administration › Courriels).")
