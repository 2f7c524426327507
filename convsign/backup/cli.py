"""`flask --app app backup DEST` and `flask --app app restore ARCHIVE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from convsign.backup.services import BackupError, create_backup, restore_backup
from convsign.extensions import db
from convsign.terminal import fail, require_migrated


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(destination: Path) -> None:
    """Write a consistent archive (.tar.gz) of database, documents, PKI and audit witness."""
    require_migrated()
    summary = create_backup(destination, progress=lambda m: click.echo("… " + m, err=True))
    click.echo(f"Sauvegarde écrite dans {destination} : {sum(summary.tables.values())} ligne(s), "
               f"{summary.files} fichier(s). Elle contient le secret de l'instance : conservez-la en lieu sûr.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore ARCHIVE on an empty, migrated instance."""
    require_migrated()
    try:
        summary = restore_backup(archive, progress=lambda m: click.echo("… " + m, err=True))
    except BackupError as error:
        db.session.rollback()
        fail(str(error))
    db.session.commit()
    click.echo(f"Restauration terminée : {sum(summary.tables.values())} ligne(s), {summary.files} fichier(s). "
               "Redémarrez l'application, puis vérifiez : flask --app app audit verify")
