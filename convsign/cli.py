"""`flask --app app <command>` entries: errors on stderr with a non-zero exit; progress shown."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask, current_app
from flask.cli import with_appcontext

from convsign.admin.imports import import_communes
from convsign.admin.services import create_admin
from convsign.api.cli import token_group
from convsign.audit.cli import audit_group
from convsign.auth.passwords import MIN_PASSWORD_LENGTH
from convsign.backup.cli import backup_command, restore_command
from convsign.demo.services import CAF, EPCI, load_demo
from convsign.demo.signed import load_signed_demo
from convsign.documents.cli import documents_group
from convsign.errors import ConvsignError, ValidationFailed
from convsign.extensions import db
from convsign.followup.cli import expire_command, remind_command
from convsign.models import Organisation, Role, User
from convsign.outbox.cli import outbox_group
from convsign.terminal import fail, require_migrated
from convsign.trust import platform
from convsign.verification.cli import verify_command


@click.command("create-admin")
@click.option("--name", prompt="Nom et prénom")
@click.option("--email", prompt="Adresse électronique")
@click.password_option("--password", prompt="Mot de passe (12 caractères au moins)")
@with_appcontext
def create_admin_command(name: str, email: str, password: str) -> None:
    """Create the first administrator of an instance."""
    require_migrated()
    if len(password) < MIN_PASSWORD_LENGTH:
        fail(f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.")
    try:
        create_admin(name, email, password)
    except ValidationFailed as error:
        db.session.rollback()
        fail(error.message)
    db.session.commit()
    click.echo(f"Administrateur {email} créé.")


@click.command("import-communes")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_communes_command(csv_file: Path) -> None:
    """Import communes from CSV_FILE (insee,name,population,siren,epci_siren)."""
    require_migrated()
    try:
        text = csv_file.read_text("utf-8")
    except UnicodeDecodeError:
        fail(f"{csv_file} n'est pas un fichier texte UTF-8.")
    with click.progressbar(length=1, label="Import", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        report = import_communes(text, progress=progress)
    if report.errors:
        db.session.rollback()
        for line, reason in report.errors:
            click.echo(f"{csv_file}, ligne {line} : {reason}", err=True)
        fail(f"Aucune commune importée : {len(report.errors)} ligne(s) en erreur.")
    db.session.commit()
    click.echo(f"{report.created} créée(s), {report.updated} mise(s) à jour, {report.unchanged} inchangée(s).")


# Libraries whose informational logging is noise on a terminal. pyHanko's font module warns "No ROS
# metadata. Assuming identity." once per signature appearance: our fonts carry no CID ordering, and
# identity is right for them, so that one logger is kept to errors.
LIBRARY_LOGGERS = {"pyhanko": logging.WARNING, "pyhanko_certvalidator": logging.WARNING, "fontTools": logging.WARNING,
                   "PIL": logging.WARNING, "pyhanko.pdf_utils.font.opentype": logging.ERROR}


def quiet_libraries() -> None:
    """Keep the libraries' chatter off the command's output: below warnings, and one known harmless warning."""
    for name, level in LIBRARY_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demonstration (Lens-Liévin) and print its logins."""
    require_migrated()
    quiet_libraries()
    logins_file = Path(current_app.instance_path) / "demo-logins.txt"
    progress = lambda message: click.echo("… " + message, err=True)  # noqa: E731
    try:
        logins = load_demo(logins_file, progress=progress)
        signers = load_signed_demo_for(logins_file, progress)
    except ConvsignError as error:
        db.session.rollback()
        fail(error.message)
    db.session.commit()
    click.echo(f"Démonstration chargée. Comptes ({logins_file}) :")
    _table([(login.role, login.email, login.password) for login in logins],
           ("fonction", "adresse", "mot de passe"))
    if signers:
        click.echo(f"Convention signée de démonstration : phrases secrètes de signature "
                   f"({logins_file.with_name('demo-passphrases.txt')}) :")
        _table([(s.office, s.email, s.passphrase) for s in signers], ("fonction", "adresse", "phrase secrète"))


def _table(rows: list[tuple[str, str, str]], header: tuple[str, str, str]) -> None:
    """Print rows in columns as wide as their longest cell, under a header, so each secret stands alone."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        click.echo("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def load_signed_demo_for(logins_file: Path, progress: Callable[[str], None]) -> list[Any]:
    """The finished demo convention, signed by the demo accounts; its passphrases kept beside the logins."""
    epci = db.session.scalar(sa.select(Organisation).where(Organisation.siren == EPCI.siren))
    caf = db.session.scalar(sa.select(Organisation).where(Organisation.siren == CAF.siren))
    coordinator = db.session.scalars(sa.select(User).where(User.organisation_id == epci.id)).all() if epci else []
    lead = next((u for u in coordinator if u.has_role(Role.COORDINATOR)), None)
    assert epci is not None and caf is not None and lead is not None
    signers = load_signed_demo(epci, caf, lead, progress)
    if signers:
        lines = [f"{s.office}\t{s.email}\t{s.passphrase}" for s in signers]
        path = logins_file.with_name("demo-passphrases.txt")
        path.write_text("fonction\tadresse\tphrase secrète de signature\n" + "\n".join(lines) + "\n", "utf-8")
        path.chmod(0o600)
    return signers


pki_group = click.Group("pki", help="The internal PKI: export the root, list revocations.")


@pki_group.command("export-ca")
@with_appcontext
def export_ca_command() -> None:
    """Print the root certificate (PEM), to import as a trust anchor."""
    click.echo(platform.pki().root.public_bytes(Encoding.PEM).decode(), nl=False)


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    for command in (create_admin_command, import_communes_command, demo_command, pki_group, audit_group,
                    verify_command, outbox_group, remind_command, expire_command, token_group, backup_command,
                    restore_command, documents_group):
        app.cli.add_command(command)
