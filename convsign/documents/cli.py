"""`flask --app app documents compact`: store revisions as increments (a store made before them)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

documents_group = click.Group("documents", help="The document store.")


@documents_group.command("compact")
@with_appcontext
def compact_command() -> None:
    """Rewrite every revision still stored whole that extends its predecessor as its appended bytes."""
    from convsign.documents.compaction import compact_store
    from convsign.terminal import require_migrated

    require_migrated()
    report = compact_store(lambda message: click.echo("… " + message, err=True))
    click.echo(f"{report.converted} révision(s) converties en incréments, {report.already} déjà converties, "
               f"{report.bases} conservée(s) entières (bases).")
