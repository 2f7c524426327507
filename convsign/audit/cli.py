"""`flask --app app audit verify` and `audit anchor`: check the trail, timestamp its head."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

REASONS = {
    "edited": "entrée modifiée",
    "removed_or_reordered": "entrée supprimée ou déplacée",
    "witnessed_twice": "le témoin porte une seconde ligne pour cette entrée (seule la première compte)",
}
WITNESS = {
    "witness_missing": "le fichier témoin {path} est absent",
    "witness_unreadable": "le fichier témoin {path} est illisible",
}

STAMP_PROBLEMS = {
    "rewritten": "ne correspond plus à la base : la chaîne a été réécrite depuis",
    "imprint": "porte sur une autre empreinte que celle enregistrée avec lui",
    "signature": "n'est pas signé par l'autorité qu'il nomme",
    "untrusted": "vient d'une autorité hors des racines de confiance (ajoutez sa racine à CONVSIGN_EXTRA_TRUST_ROOTS)",
}

audit_group = click.Group("audit", help="The audit trail: verify its hash chain, timestamp its head.")


@audit_group.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="N:HASH",
              help="A head of the chain kept elsewhere (an e-mail, a webhook, an evidence PDF); repeatable.")
@with_appcontext
def verify_command(anchors: tuple[str, ...]) -> None:
    """Walk the hash chain, the witness, the stored timestamps and the given anchors."""
    from convsign.audit import anchors as anchoring
    from convsign.audit import witness
    from convsign.audit.services import verify_trail
    from convsign.terminal import require_migrated
    from convsign.trust import platform

    require_migrated()
    try:
        given = [anchoring.parse_anchor(text) for text in anchors]
    except ValueError as error:
        raise click.BadParameter(f"« {error} » : attendu N:EMPREINTE (64 caractères hexadécimaux)") from error
    checked, broken = verify_trail()
    failures = []
    if broken is not None and broken.reason in WITNESS:
        failures.append("Vérification impossible : " + WITNESS[broken.reason].format(path=witness.path()) + ".")
    elif broken is not None:
        failures.append(f"Chaîne rompue à l'entrée n° {broken.entry_id} : {REASONS.get(broken.reason, broken.reason)} "
                        f"({checked} entrées vérifiées avant elle).")
    if broken is None or broken.reason not in WITNESS:
        try:
            twice = witness.witnessed_twice(witness.path())
        except witness.WitnessUnavailable:
            twice = []  # nothing recorded yet: no witness either
        already = broken.entry_id if broken is not None and broken.reason == "witnessed_twice" else None
        failures += [f"Le témoin porte une seconde ligne pour l'entrée n° {n} : seule la première compte."
                     for n in twice if n != already]
    for anchor in given:
        if not anchoring.holds(anchor):
            failures.append(f"L'ancre n° {anchor.entry_id} ne correspond plus à la base : la chaîne a été réécrite "
                            "depuis (ou l'entrée supprimée).")
    broken_stamp = anchoring.first_broken_timestamp(platform.trust_roots())
    if broken_stamp is not None:
        stamped, problem = broken_stamp
        failures.append(f"L'horodatage du {stamped.at:%d/%m/%Y} (entrée n° {stamped.entry_id}) "
                        + STAMP_PROBLEMS[problem] + ".")
    if failures:
        for line in failures:
            click.echo(line, err=True)
        sys.exit(1)
    suffix = f" ; {len(given)} ancre(s) vérifiée(s)" if given else ""
    click.echo(f"{checked} entrées vérifiées, chaîne intacte{suffix}.")


@audit_group.command("anchor")
@with_appcontext
def anchor_command() -> None:
    """Timestamp the chain's head with the external authority (CONVSIGN_TSA_URL), once a day (cron)."""
    from convsign.audit import anchors as anchoring
    from convsign.extensions import db
    from convsign.models.types import utcnow
    from convsign.terminal import require_migrated
    from convsign.trust import platform

    require_migrated()
    url = current_app.config.get("TSA_URL")
    if not url:
        click.echo("Aucune autorité d'horodatage externe (CONVSIGN_TSA_URL) : rien à faire.", err=True)
        return
    now = utcnow()
    if anchoring.stamped_today(now):
        click.echo("La tête de la chaîne est déjà horodatée aujourd'hui.")
        return
    try:
        row = anchoring.timestamp_head(platform.timestamper(), str(url), now)
    except Exception as error:  # an unreachable or refusing authority: say so, exit non-zero for cron
        click.echo(f"Horodatage impossible auprès de {url} : {error}", err=True)
        sys.exit(1)
    db.session.commit()
    if row is None:
        click.echo("Journal vide : rien à horodater.")
        return
    click.echo(f"Tête horodatée : entrée n° {row.entry_id}, empreinte {row.entry_hash}.")
