"""`flask --app app verify FILE.pdf [--json]`: the verification report at the command line.

Exit 0 when the document holds at least one signature (a document timestamp alone is not one),
every signature and timestamp is valid, and only signatures, validation data and timestamps
followed them; 1 otherwise (a broken signature included); 2 only when no signature can be read.
pyHanko's own log messages are silenced under the report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

if TYPE_CHECKING:
    from convsign.pdf.validation import DocumentReport
    from convsign.verification.report import SignatureLine
    from convsign.verification.services import Placement


@click.command("verify")
@click.argument("pdf_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as a JSON object.")
@with_appcontext
def verify_command(pdf_file: Path, as_json: bool) -> None:
    """Verify the signatures of PDF_FILE and say whether it is a current revision of a convention."""
    from convsign.pdf.validation import silenced_library_logs
    from convsign.verification import report, services

    pdf = pdf_file.read_bytes()
    try:
        with silenced_library_logs():
            result = services.verify(pdf)
    except services.UnverifiableDocument as error:
        if as_json:
            click.echo(json.dumps({"valid": False, "error": error.code, "message": error.message}, ensure_ascii=False))
        click.echo(f"{pdf_file} : {error.message}", err=True)
        sys.exit(2)
    found = services.placement(pdf, None)
    if as_json:
        click.echo(json.dumps(report.report_json(result, found), ensure_ascii=False, indent=2))
    else:
        _print_report(result, found)
    sys.exit(0 if result.valid else 1)


def _print_report(result: DocumentReport, found: Placement) -> None:
    from convsign.verification import report

    for number, signature in enumerate(result.signatures, start=1):
        line = report.signature_line(signature)
        click.echo(f"{number}. {line.kind} — {line.field} : {'VALIDE' if line.ok else 'NON VALIDE'}")
        for label, value in _facts(line):
            click.echo(f"   {label} : {value}")
    click.echo(report.verdict(result))
    unsigned = report.unsigned_changes_label(result)
    if unsigned:
        click.echo(unsigned)
    if result.level:
        click.echo(f"Niveau PAdES du document : {result.level}")
    click.echo(report.placement_label(found))


def _facts(line: SignatureLine) -> list[tuple[str, str]]:
    yes_no = {True: "oui", False: "non"}
    facts = [
        ("signataire", line.signer),
        ("émetteur du certificat", line.issuer),
        ("heure déclarée de signature", line.signing_time),
        ("horodatage", line.timestamp_time),
        ("intacte", yes_no[line.intact]),
        ("de confiance", yes_no[line.trusted]),
        ("couvre", line.covers),
        ("modifié ensuite", line.modified_after),
        ("niveau PAdES", line.level),
    ]
    if line.revocation:
        facts.append(("révocation", line.revocation))
    if line.problem:
        facts.append(("problème", line.problem))
    return facts
