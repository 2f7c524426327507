"""Two app nodes behind one address book: two gunicorn servers with their own instance folders,
one PostgreSQL, one S3 server (SeaweedFS), the same secret, no PKI folder.

The 38 signatories of a CTG sign at once, spread over both nodes: every signature lands, the
document is completed to B-LTA once, no request ends in a 500, both nodes serve the same bytes;
a key created through one node signs through the other; `audit verify` passes on both; neither
node's disk holds a PDF.
"""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from convsign.conventions import services as conventions
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, DocumentRevision, Mandate, RevisionKind, Signatory, User
from convsign.signing import keys
from tests.conftest import TEST_PASSWORD, truncate_all
from tests.hardening.conftest import Prepared
from tests.hardening.server import ROOT, Browser, gunicorn, server_environment
from tests.hardening.test_concurrency import check_signed, check_statuses, sign_until_done
from tests.seaweed import new_bucket_name
from tests.world import PASSPHRASE, build_territory, convention_data, waive_all


def _prepare(app: Flask, without_key: int) -> Prepared:
    """A CTG of 36 communes, the EPCI and the CAF, one stage; every holder but one has a key."""
    territory = build_territory(app, communes=36, prefix="216")
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        data = convention_data(territory, "Convention à deux nœuds")
        data = dataclasses.replace(data, signatories=tuple(dataclasses.replace(s, stage=1) for s in data.signatories))
        convention = conventions.save_draft(data, coordinator)
        waive_all(convention)
        conventions.open_convention(convention, coordinator, datetime.now(UTC))
        for number, holder in enumerate(territory.holders):
            if number != without_key:
                user = db.session.get(User, holder.user_id)
                mandate = db.session.scalar(sa.select(Mandate).where(Mandate.office_id == holder.office_id))
                assert user is not None and mandate is not None
                keys.create_key(user, mandate, PASSPHRASE, datetime.now(UTC))
        db.session.commit()
        slots = {s.office_id: s.id for s in db.session.scalars(
            sa.select(Signatory).where(Signatory.convention_id == convention.id))}
        return Prepared(convention.id, tuple((h, slots[h.office_id]) for h in territory.holders))


def _document(base: str, email: str, convention_id: int) -> bytes:
    browser = Browser(base)
    browser.login(email, TEST_PASSWORD)
    with browser.opener.open(f"{base}/conventions/{convention_id}/document", timeout=120) as response:
        return bytes(response.read())


def _audit_verify(app: Flask, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "audit", "verify"], check=False, cwd=ROOT,
                          env=server_environment(app, **extra), capture_output=True, text=True, timeout=300)


def _pdfs_on_disk(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and (path.suffix in (".pdf", ".inc") or path.read_bytes()[:1024].find(b"%PDF-") >= 0):
            found.append(path)
    return found


@pytest.mark.postgres
def test_two_nodes_sign_one_convention_together(migrated_database: str, make_node: Callable[..., Flask],
                                                s3_server: Any) -> None:
    if not migrated_database.startswith("postgresql"):
        pytest.skip("the PostgreSQL run of the suite (CONVSIGN_TEST_DATABASE_URL) covers this test")
    bucket = new_bucket_name()
    store = s3_server.config(bucket)
    harness = make_node("harness", store)  # builds the data, as an admin would
    with harness.app_context():
        truncate_all()
    prepared = _prepare(harness, without_key=37)
    assert len(prepared.signers) == 38
    one, two = make_node("one", store), make_node("two", store)
    environment = s3_server.environment(bucket)
    with gunicorn(one, workers=2, **environment) as base_one, gunicorn(two, workers=2, **environment) as base_two:
        keyless, keyless_slot = prepared.signers[-1]
        creator = Browser(base_one)  # the key is created through node one...
        creator.login(keyless.email, TEST_PASSWORD)
        made = creator.post(f"/signer/{keyless_slot}/cle", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE},
                            token_from=f"/signer/{keyless_slot}")
        assert made.status == 302, made.body[:500]
        # ...and signs through node two, with the others, half on each node, all at once.
        bases = [base_one if number % 2 else base_two for number in range(len(prepared.signers))]
        start = threading.Barrier(len(prepared.signers))
        with ThreadPoolExecutor(max_workers=len(prepared.signers)) as pool:
            futures = [pool.submit(sign_until_done, base, holder, slot, start)
                       for base, (holder, slot) in zip(bases, prepared.signers, strict=True)]
            outcomes = [future.result() for future in futures]
        check_statuses(outcomes)  # every signer ends signed; only 302 and 409, never a 500
        email = prepared.signers[0][0].email
        served = {_document(base, email, prepared.convention_id) for base in (base_one, base_two)}
    check_signed(harness, prepared)  # 38 approval signatures, valid, B-LTA
    with harness.app_context():
        convention = db.session.get(Convention, prepared.convention_id)
        assert convention is not None
        completions = db.session.scalar(sa.select(sa.func.count()).select_from(DocumentRevision).where(
            DocumentRevision.convention_id == convention.id, DocumentRevision.kind == RevisionKind.COMPLETION))
        assert completions == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "convention_completed")) == 1
        latest = convention.latest_sha256
    assert len(served) == 1 and hashlib.sha256(served.pop()).hexdigest() == latest
    for app in (one, two):
        verified = _audit_verify(app, environment)
        assert verified.returncode == 0, verified.stderr
        assert not _pdfs_on_disk(Path(app.instance_path))
    assert not _pdfs_on_disk(Path(harness.instance_path))
