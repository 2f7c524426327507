"""The document store on both backends (a folder, and a real S3 server): write-once objects,
revisions kept as increments and rebuilt exactly, damage detected, and the migration of a store
written whole (as before increments) run twice and after a crash."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from convsign.documents import services as documents
from convsign.documents import store as store_module
from convsign.documents.compaction import compact_store
from convsign.documents.objects import FileObjects, ObjectStore, S3Objects, S3Settings
from convsign.documents.store import DocumentStore, MissingDocument, full_key, increment_key
from convsign.extensions import db
from convsign.models import Convention, DocumentRevision, RevisionKind
from tests.conftest import truncate_all
from tests.integration.test_signing_flow import sign
from tests.seaweed import new_bucket_name
from tests.world import Territory, build_territory, open_convention

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["file", "s3"])
def objects(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "file":
        return FileObjects(tmp_path / "store")
    server = request.getfixturevalue("s3_server")
    bucket = new_bucket_name()
    server.client().create_bucket(Bucket=bucket)
    return S3Objects(bucket, "some/prefix", S3Settings(server.endpoint_url, server.access_key_id,
                                                       server.secret_access_key, server.region))


def _overwrite(objects: ObjectStore, key: str, data: bytes) -> None:
    """What an attacker (or a bad restore) with write access to the store does."""
    if isinstance(objects, FileObjects):
        (objects.root / key).write_bytes(data)
    else:
        assert isinstance(objects, S3Objects)
        objects.client.put_object(Bucket=objects.bucket, Key=objects.prefix + key, Body=data)


def test_objects_are_written_once(objects: ObjectStore) -> None:
    assert objects.put_once("witness/1", b"first")
    assert not objects.put_once("witness/1", b"second")
    assert objects.get("witness/1") == b"first"
    assert objects.get("witness/2") is None and not objects.exists("witness/2")
    assert objects.put_once("witness/2", b"")
    assert list(objects.keys("witness/")) == ["witness/1", "witness/2"]
    with pytest.raises(ValueError):
        objects.put_once("../escape", b"x")


def test_increments_rebuild_exactly(objects: ObjectStore) -> None:
    store = DocumentStore(objects)
    base = b"%PDF-1.7 base " * 1000
    chain = [base, base + b"sig 1", base + b"sig 1" + b"sig 2 " * 50]
    base_sha = store.put(chain[0])
    one = store.put_increment(chain[1], base_sha, len(chain[0]))
    two = store.put_increment(chain[2], one, len(chain[1]))
    assert objects.exists(full_key(base_sha)) and not objects.exists(full_key(two))
    assert len(objects.get(increment_key(two)) or b"") < 400  # the appended bytes and a header
    store_module.clear_cache()
    assert store.get(two) == chain[2] and store.get(one) == chain[1] and store.get(base_sha) == chain[0]
    with pytest.raises(ValueError):  # not an extension of its base
        store.put_increment(b"other" + chain[1], base_sha, len(chain[0]))


def test_a_damaged_increment_or_base_is_detected(objects: ObjectStore) -> None:
    store = DocumentStore(objects)
    base = b"%PDF-1.7 base " * 100
    base_sha = store.put(base)
    top = store.put_increment(base + b"appended", base_sha, len(base))
    stored = objects.get(increment_key(top)) or b""
    _overwrite(objects, increment_key(top), stored.replace(b"appended", b"APPENDED"))
    store_module.clear_cache()
    with pytest.raises(MissingDocument):
        store.get(top)
    _overwrite(objects, increment_key(top), stored)
    _overwrite(objects, full_key(base_sha), base.replace(b"base", b"BASE", 1))
    store_module.clear_cache()
    with pytest.raises(MissingDocument):
        store.get(top)


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


def _signed_convention(app: Flask, territory: Territory) -> int:
    """A convention signed to the end (four signatures and the B-LTA completion) through the services."""
    convention_id = open_convention(app, territory)
    for holder in sorted(territory.holders, key=lambda h: h.stage):
        sign(app, convention_id, holder.email)
    return convention_id


def _history(app: Flask, convention_id: int) -> list[DocumentRevision]:
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        rows = documents.revisions(convention)
        db.session.expunge_all()
        return rows


def test_revisions_are_stored_as_increments_on_s3(make_node: Callable[..., Flask], s3_server: Any) -> None:
    app = make_node("instance", s3_server.config(new_bucket_name()))
    with app.app_context():
        truncate_all()
    convention_id = _signed_convention(app, build_territory(app, communes=2))
    rows = _history(app, convention_id)
    with app.app_context():
        store = documents.store()
        assert rows[0].kind == RevisionKind.PREPARED and store.stored_whole(rows[0].sha256)
        assert rows[-1].kind == RevisionKind.COMPLETION
        assert all(not store.stored_whole(r.sha256) for r in rows[1:])
        stored = sum(store.stored_bytes(r.sha256) for r in rows)
        assert stored < rows[-1].size + 200 * len(rows)  # about the final document, not the sum of revisions
        store_module.clear_cache()
        for row in rows:
            assert hashlib.sha256(documents.content(row)).hexdigest() == row.sha256
    assert not [p for p in Path(app.instance_path).rglob("*") if p.is_file() and p.suffix in (".pdf", ".inc")]


def _legacy_store_class() -> type:
    """The DocumentStore of the code before increments, read from git (commit 6bbcd1e)."""
    source = subprocess.run(["git", "show", "6bbcd1e:convsign/documents/store.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    namespace: dict[str, Any] = {"__name__": "legacy_store"}
    exec(compile(source, "legacy_store.py", "exec"), namespace)
    return namespace["DocumentStore"]  # type: ignore[no-any-return]


def test_a_store_written_whole_is_converted_idempotently(app: Flask, territory: Territory) -> None:
    convention_id = _signed_convention(app, territory)
    rows = _history(app, convention_id)
    with app.app_context():
        contents = {row.sha256: documents.content(row) for row in rows}
    folder = Path(app.instance_path) / "documents"
    shutil.rmtree(folder)  # the same revisions, as the code before increments wrote them
    legacy = _legacy_store_class()(folder)
    for content in contents.values():
        legacy.put(content)
    whole_before = sum(p.stat().st_size for p in folder.rglob("*.pdf"))
    store_module.clear_cache()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["documents", "compact"])
    assert first.exit_code == 0, first.output
    assert f"{len(rows) - 1} révision(s) converties" in first.output
    after = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert after < whole_before / 2
    assert sorted(p.name for p in folder.rglob("*.pdf")) == [rows[0].sha256 + ".pdf"]
    second = runner.invoke(args=["documents", "compact"])
    assert second.exit_code == 0 and "0 révision(s) converties" in second.output
    store_module.clear_cache()
    with app.app_context():
        for row in rows:
            assert documents.content(row) == contents[row.sha256]


def test_the_conversion_resumes_after_a_crash(app: Flask, territory: Territory) -> None:
    convention_id = _signed_convention(app, territory)
    rows = _history(app, convention_id)
    with app.app_context():
        contents = {row.sha256: documents.content(row) for row in rows}
        store = documents.store()
        last, before = rows[-1], rows[-2]
        # a crash after the increment was written, before the whole copy was deleted:
        store.objects.put_once(full_key(last.sha256), contents[last.sha256])
        assert store.stored_whole(last.sha256) and store.objects.exists(increment_key(last.sha256))
        store_module.clear_cache()
        assert documents.content(last) == contents[last.sha256]
        report = compact_store()
        assert report.converted == 1
        assert not store.stored_whole(last.sha256)
        store_module.clear_cache()
        assert documents.content(last) == contents[last.sha256]
        assert documents.content(before) == contents[before.sha256]
        count = db.session.scalar(sa.select(sa.func.count()).select_from(DocumentRevision))
        assert count == len(rows)
