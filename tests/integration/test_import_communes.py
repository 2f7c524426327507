"""`flask import-communes`: good rows, bad rows with line numbers, idempotence, nothing half-saved."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from convsign.demo.services import communes_csv
from convsign.extensions import db
from convsign.models import Organisation, OrganisationKind
from tests.conftest import Factory

HEADER = "insee,name,population,siren,epci_siren\n"


def count_communes(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(
            Organisation.kind == OrganisationKind.COMMUNE)) or 0


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "communes.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_imports_the_36_communes_then_is_idempotent(app: Flask, runner: FlaskCliRunner, factory: Factory,
                                                    tmp_path: Path) -> None:
    factory.organisation(OrganisationKind.EPCI, name="CALL", siren="246200364")
    path = write(tmp_path, communes_csv())
    first = runner.invoke(args=["import-communes", path])
    assert first.exit_code == 0, first.output
    assert "36 créée(s)" in first.stdout
    assert count_communes(app) == 36
    second = runner.invoke(args=["import-communes", path])
    assert second.exit_code == 0
    assert "0 créée(s), 0 mise(s) à jour, 36 inchangée(s)" in second.stdout
    with app.app_context():
        loison = db.session.scalar(sa.select(Organisation).where(Organisation.insee_code == "62523"))
        assert loison is not None and loison.siren == "216205237" and loison.parent is not None
        assert loison.parent.siren == "246200364"


def test_bad_rows_are_reported_and_nothing_is_imported(app: Flask, runner: FlaskCliRunner, factory: Factory,
                                                       tmp_path: Path) -> None:
    factory.organisation(OrganisationKind.EPCI, name="CALL", siren="246200364")
    text = HEADER + "\n".join([
        "62523,Loison-sous-Lens,5410,216205237,246200364",  # line 2: good
        "62001,Ablain-Saint-Nazaire,1772,216200015,246200364",  # 3: wrong check digit
        "6200,Acheville,627,216200030,246200364",  # 4: INSEE too short
        "62019,Aix-Noulette,beaucoup,216200196,246200364",  # 5: population not a number
        "62032,Angres,4526,216200329,216205237",  # 6: the EPCI is not an EPCI
        "62033,Annay,4337,216205237,246200364",  # 7: SIREN already on line 2
    ]) + "\n"
    result = runner.invoke(args=["import-communes", write(tmp_path, text)])
    assert result.exit_code == 1
    assert "ligne 3 : Ce SIREN est incorrect" in result.stderr
    assert "ligne 4 : Ce code INSEE n'a pas la forme" in result.stderr
    assert "ligne 5 : La population doit être un nombre entier." in result.stderr
    assert "ligne 6 : Aucune intercommunalité de SIREN 216205237" in result.stderr
    assert "ligne 7 : SIREN déjà présent à la ligne 2." in result.stderr
    assert "Aucune commune importée" in result.stderr
    assert count_communes(app) == 0


def test_missing_columns_and_unreadable_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["import-communes", write(tmp_path, "code,nom\n62523,Loison\n")])
    assert result.exit_code == 1
    assert "Colonnes manquantes : insee, name, population, siren, epci_siren" in result.stderr
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = runner.invoke(args=["import-communes", str(binary)])
    assert result.exit_code == 1
    assert "n'est pas un fichier texte UTF-8" in result.stderr
