"""`flask --app app audit verify`: check the whole audit trail, exit non-zero at the first break."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

REASONS = {"edited": "modifiée", "removed_or_reordered": "supprimée ou déplacée"}

audit_group = click.Group("audit", help="The audit trail: verify its hash chain.")


@audit_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Walk the hash chain and the witness; name the first entry edited, removed or reordered."""
    from convsign.audit.services import verify_trail
    from convsign.terminal import require_migrated

    require_migrated()
    checked, broken = verify_trail()
    if broken is None:
        click.echo(f"{checked} entrées vérifiées, chaîne intacte.")
        return
    reason = REASONS.get(broken.reason, broken.reason)
    click.echo(
        f"Chaîne rompue à l'entrée n° {broken.entry_id} : entrée {reason} ({checked} entrées vérifiées avant elle).",
        err=True,
    )
    sys.exit(1)
