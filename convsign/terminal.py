"""What every `flask --app app …` command shares: errors on stderr with a non-zero exit, the migration check.

Here, in the base layer, so that each feature's `cli.py` can use it without importing
`convsign.cli`, which registers every command and so sits above all features.
"""

from __future__ import annotations

import sys

import click

from convsign import schema


def fail(message: str, code: int = 1) -> None:
    """Print `message` on stderr and exit with `code`."""
    click.echo(message, err=True)
    sys.exit(code)


def require_migrated() -> None:
    """Stop with the command to run when the database is not migrated."""
    if not schema.is_up_to_date():
        fail(f"La base de données n'est pas à jour. Lancez d'abord : {schema.UPGRADE_COMMAND}")
