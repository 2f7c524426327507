"""What several app nodes share instead of their disks: the PKI, the audit witness and the
documents in the store (a real S3 server), the secret from the environment, backups of the store."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from flask import Flask

from convsign import create_app
from convsign.audit.services import verify_trail
from convsign.audit.witness_objects import PREFIX, ObjectWitness
from convsign.documents import services as documents
from convsign.documents import store as store_module
from convsign.documents.objects import FileObjects
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, DocumentRevision
from convsign.pdf.validation import validate_document
from convsign.pki.authority import PkiSettings, ensure_pki
from convsign.trust import platform, shared_pki
from tests.conftest import _base_config, truncate_all
from tests.hardening.conftest import prepare_convention
from tests.integration.test_signing_flow import sign
from tests.seaweed import new_bucket_name


def _root_fingerprint(app: Flask) -> bytes:
    with app.app_context():
        return platform.pki().root.fingerprint(hashes.SHA256())


def test_two_nodes_share_one_pki_through_the_store(make_node: Callable[..., Flask], s3_server: Any) -> None:
    store = s3_server.config(new_bucket_name())
    one, two = make_node("one", store), make_node("two", store)
    assert _root_fingerprint(one) == _root_fingerprint(two)
    with two.app_context():
        keys = list(documents.objects().keys("pki/"))
    assert "pki/current" in keys and any(k.endswith("/root.key.sealed") for k in keys)


def test_a_node_losing_the_race_takes_the_winners_pki(tmp_path: Path) -> None:
    objects = FileObjects(tmp_path / "store")

    def settings(folder: Path) -> PkiSettings:
        return PkiSettings(directory=folder, secret=b"s" * 32, organisation="Test", crl_url="http://x/crl",
                           tsa_key_size=2048)

    def create_other(folder: Path) -> None:
        ensure_pki(settings(folder), datetime.now(UTC))

    winner: list[str] = []

    def create_mine(folder: Path) -> None:  # while this node generates, another one publishes first
        thread = threading.Thread(target=lambda: winner.append(
            shared_pki.publish(objects, tmp_path / "other", create_other)))
        thread.start()
        thread.join()
        ensure_pki(settings(folder), datetime.now(UTC))

    mine = shared_pki.publish(objects, tmp_path / "mine", create_mine)
    assert mine == winner[0]
    generations = {k.split("/")[1] for k in objects.keys("pki/") if k != shared_pki.CURRENT}
    assert len(generations) == 2  # two were made and uploaded, one is used
    folder = shared_pki.materialize(objects, mine, tmp_path / "cache")
    other = shared_pki.materialize(objects, winner[0], tmp_path / "cache-other")
    assert ensure_pki(settings(folder), datetime.now(UTC)).root == ensure_pki(settings(other), datetime.now(UTC)).root


def test_a_pki_made_before_the_store_is_kept(make_node: Callable[..., Flask], tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    legacy = make_node("instance", {"PKI_DIRECTORY": str(instance / "pki")})
    before = _root_fingerprint(legacy)  # instance/pki, as every instance had it
    after = make_node("instance", {})
    assert _root_fingerprint(after) == before


def test_the_secret_comes_from_the_environment(migrated_database: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVSIGN_SECRET_KEY", "1234567890")  # a JSON number: still the string
    config = _base_config(migrated_database, tmp_path / "instance")
    del config["SECRET_KEY"]
    app = create_app(config)
    assert app.config["SECRET_KEY"] == "1234567890"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_the_witness_is_write_once_objects_in_the_store(make_node: Callable[..., Flask], s3_server: Any) -> None:
    app = make_node("one", s3_server.config(new_bucket_name()))
    with app.app_context():
        truncate_all()
    prepared = prepare_convention(app, communes=1, prefix="216")
    with app.app_context():
        objects = documents.objects()
        witnessed = list(ObjectWitness(objects).lines())
        count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        assert count and len(witnessed) == count
        assert verify_trail()[1] is None
        assert not (Path(app.instance_path) / "audit-witness.log").exists()
        first = next(objects.keys(PREFIX))
        assert not objects.put_once(first, b"1 " + b"0" * 64 + b"\n")  # never overwritten
        newest = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        assert newest is not None
        db.session.delete(newest)  # the trail cut short: a valid chain, but the witness knows
        db.session.commit()
        broken = verify_trail()[1]
        assert broken is not None and broken.entry_id == newest.id
    assert prepared.convention_id


def test_backup_and_restore_cover_the_store(make_node: Callable[..., Flask], tmp_path: Path,
                                           s3_server: Any) -> None:
    source = make_node("one", s3_server.config(new_bucket_name()))
    with source.app_context():
        truncate_all()
    prepared = prepare_convention(source, communes=1, prefix="216", one_stage=False)
    for holder, _slot in prepared.signers:
        sign(source, prepared.convention_id, holder.email)
    archive = tmp_path / "sauvegarde.tar.gz"
    made = source.test_cli_runner().invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    root = _root_fingerprint(source)
    with source.app_context():
        truncate_all()
    target_store = s3_server.config(new_bucket_name())
    target = make_node("two", target_store)
    restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    store_module.clear_cache()
    fresh = make_node("three", target_store)  # another node, nothing on its disk
    verified = fresh.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert _root_fingerprint(fresh) == root
    with fresh.app_context():
        for revision in db.session.scalars(sa.select(DocumentRevision)):
            documents.content(revision)
        convention = db.session.get(Convention, prepared.convention_id)
        assert convention is not None
        report = validate_document(documents.latest_content(convention), platform.trust_settings())
        assert report.valid and report.level == "B-LTA"
    again = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
    assert again.exit_code == 1 and "n'est pas vide" in again.stderr
