"""`flask backup` then `flask restore` on an empty instance: the audit trail and every document verify."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from convsign import create_app
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, DocumentRevision
from convsign.pdf.validation import validate_document
from convsign.trust import platform
from tests.conftest import _base_config, truncate_all
from tests.hardening.conftest import prepare_convention
from tests.integration.test_signing_flow import sign


def test_backup_then_restore_on_an_empty_instance(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    prepared = prepare_convention(app, communes=1, prefix="216", one_stage=False)
    for holder, _slot in prepared.signers:
        sign(app, prepared.convention_id, holder.email)
    archive = tmp_path / "sauvegarde.tar.gz"
    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    with app.app_context():
        before = {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
                  for t in db.metadata.sorted_tables}
        truncate_all()  # the same database, emptied: the restored instance starts from nothing

    target = create_app(_base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "new-instance")
                        | {"PKI_DIRECTORY": str(tmp_path / "new-pki")})
    restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    fresh = create_app(_base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "new-instance")
                       | {"PKI_DIRECTORY": str(tmp_path / "new-pki")})  # "restart"
    verified = fresh.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    with fresh.app_context():
        after = {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
                 for t in db.metadata.sorted_tables}
        assert after == before
        for revision in db.session.scalars(sa.select(DocumentRevision)):
            documents.content(revision)  # present, and matching its hash
        convention = db.session.get(Convention, prepared.convention_id)
        assert convention is not None
        report = validate_document(documents.latest_content(convention), platform.trust_settings())
        assert report.valid and report.level == "B-LTA"
        assert platform.pki().root.public_bytes  # the restored PKI opens with the restored secret
    again = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
    assert again.exit_code == 1 and "n'est pas vide" in again.stderr  # never over existing data
    for other in (target, fresh):
        with other.app_context():
            db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(runner: FlaskCliRunner, tmp_path: Path) -> None:
    import tarfile

    bogus = tmp_path / "x.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    result = runner.invoke(args=["restore", str(bogus)])
    assert result.exit_code == 1 and "n'est pas une sauvegarde convsign" in result.stderr


