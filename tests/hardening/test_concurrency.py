"""Many signatories signing at the same moment, through gunicorn's worker processes.

Every signature ends in the final PDF and validates; no request ends in a 500; a signer whose
seen hash went stale is told to reload (409) and succeeds on retry. PostgreSQL with four
workers (row lock per convention), and SQLite with two (its write lock, with a busy timeout).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from flask import Flask

from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, ConventionStatus, Signatory, SlotState
from convsign.pdf.validation import validate_document
from convsign.trust import platform
from tests.conftest import TEST_PASSWORD
from tests.hardening.conftest import Prepared, prepare_convention
from tests.hardening.server import Answer, Browser, gunicorn
from tests.world import PASSPHRASE, Holder

SEEN = re.compile(r'name="seen_sha256" type="hidden" value="([0-9a-f]{64})"')
TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def sign_until_done(base: str, holder: Holder, slot: int, start: threading.Barrier) -> list[int]:
    """Log in, open the signing page, wait for everyone, sign; reload and retry on 409."""
    browser = Browser(base)
    browser.login(holder.email, TEST_PASSWORD)
    page = browser.get(f"/signer/{slot}")
    start.wait()
    statuses = []
    for _attempt in range(100):
        answer = submit(browser, slot, page)
        statuses.append(answer.status)
        if answer.status != 409:
            return statuses
        page = answer  # "le document a changé": the answer shows the new revision, with its form
    return statuses


def submit(browser: Browser, slot: int, page: Answer) -> Answer:
    seen, token = SEEN.search(page.body), TOKEN.search(page.body)
    assert seen and token, page.body[:300]
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"csrf_token": token.group(1), "seen_sha256": seen.group(1), "approve": "y",
                                   "passphrase": PASSPHRASE}).encode()
    return browser._send(urllib.request.Request(f"{browser.base}/signer/{slot}", data=body, method="POST"))


def run_together(base: str, prepared: list[Prepared]) -> list[list[int]]:
    signers = [(holder, slot) for p in prepared for holder, slot in p.signers]
    start = threading.Barrier(len(signers))
    with ThreadPoolExecutor(max_workers=len(signers)) as pool:
        futures = [pool.submit(sign_until_done, base, holder, slot, start) for holder, slot in signers]
        return [future.result() for future in futures]


def check_signed(app: Flask, prepared: Prepared) -> None:
    with app.app_context():
        convention = db.session.get(Convention, prepared.convention_id)
        assert convention is not None
        assert convention.status == ConventionStatus.SIGNED
        states = db.session.scalars(sa.select(Signatory.state).where(
            Signatory.convention_id == prepared.convention_id)).all()
        assert set(states) == {SlotState.SIGNED}
        report = validate_document(documents.latest_content(convention), platform.trust_settings())
    approvals = [s for s in report.signatures if s.kind == "approval"]
    assert len(approvals) == len(prepared.signers)
    assert report.valid and report.level == "B-LTA"


def check_statuses(outcomes: list[list[int]]) -> Counter[int]:
    every = Counter(status for statuses in outcomes for status in statuses)
    assert all(statuses[-1] == 302 for statuses in outcomes), every
    assert set(every) <= {302, 409}, every  # no 500, no lost signature
    return every


@pytest.mark.postgres
def test_38_signatories_at_once_on_postgresql(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the PostgreSQL run of the suite (CONVSIGN_TEST_DATABASE_URL) covers this test")
    prepared = prepare_convention(app, communes=36, prefix="216")
    with gunicorn(app, workers=4) as base:
        outcomes = run_together(base, [prepared])
    every = check_statuses(outcomes)
    assert every[409] > 0  # the race happened: stale signers were told to reload
    check_signed(app, prepared)


@pytest.mark.postgres
def test_several_conventions_at_once_on_postgresql(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the PostgreSQL run of the suite (CONVSIGN_TEST_DATABASE_URL) covers this test")
    prepared = [prepare_convention(app, communes=6, prefix=prefix, department=department)
                for prefix, department in (("216", "62"), ("226", "59"), ("236", "80"))]
    with gunicorn(app, workers=4) as base:
        outcomes = run_together(base, prepared)
    check_statuses(outcomes)
    for one in prepared:
        check_signed(app, one)


def test_signatories_at_once_on_sqlite(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the SQLite run of the suite covers this test")
    prepared = prepare_convention(app, communes=10, prefix="216")
    with gunicorn(app, workers=2) as base:
        outcomes = run_together(base, [prepared])
    check_statuses(outcomes)
    check_signed(app, prepared)
