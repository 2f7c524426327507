"""A worker killed at each step of a signature: the restarted app shows a consistent state.

The slot is signed if and only if the stored latest revision holds its signature; every revision
row has its file; the audit trail verifies; the outbox holds the next stage's invitation once if
the signature was committed, never otherwise; the latest PDF validates; and the signatory can
then sign (or is told it is done).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from convsign.audit.services import verify_trail
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, DocumentRevision, OutboxMessage, Signatory, SlotState
from convsign.pdf.fields import list_signature_fields
from convsign.pdf.validation import validate_document
from convsign.trust import platform
from tests.conftest import TEST_PASSWORD
from tests.hardening.conftest import Prepared, prepare_convention
from tests.hardening.server import Browser, gunicorn
from tests.hardening.test_concurrency import submit

STEPS = ["signed_in_memory", "document_file_written", "before_commit", "after_commit"]


def check_consistent(app: Flask, prepared: Prepared, expect_signed: bool) -> None:
    _mayor, slot_id = prepared.signers[0]
    president = prepared.signers[1][0]
    with app.app_context():
        convention = db.session.get(Convention, prepared.convention_id)
        slot = db.session.get(Signatory, slot_id)
        assert convention is not None and slot is not None
        rows = db.session.scalars(sa.select(DocumentRevision).where(
            DocumentRevision.convention_id == convention.id).order_by(DocumentRevision.number)).all()
        assert [r.number for r in rows] == list(range(1, convention.revision_count + 1))
        assert rows[-1].sha256 == convention.latest_sha256
        for row in rows:
            documents.content(row)  # every row has its file, matching its hash
        latest = documents.latest_content(convention)
        field = next(f for f in list_signature_fields(latest) if f.name == slot.field_name)
        assert field.signed == (slot.state == SlotState.SIGNED) == expect_signed
        assert validate_document(latest, platform.trust_settings()).valid
        checked, broken = verify_trail()
        assert broken is None and checked > 0
        invitations = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == president.email))
        assert invitations == (1 if expect_signed else 0)


@pytest.mark.parametrize("step", STEPS)
def test_a_worker_killed_mid_signature(app: Flask, step: str) -> None:
    prepared = prepare_convention(app, communes=1, prefix="216", one_stage=False)
    mayor, slot = prepared.signers[0]  # the only commune: its signature opens stage 2
    with gunicorn(app, workers=1, CONVSIGN_FAULT_INJECTION=step) as base:
        browser = Browser(base)
        browser.login(mayor.email, TEST_PASSWORD)
        answer = submit(browser, slot, browser.get(f"/signer/{slot}"))
        assert answer.status in (0, 502), answer.status  # the worker died under the request
        committed = step == "after_commit"
        check_consistent(app, prepared, expect_signed=committed)
        page = browser.get(f"/signer/{slot}")  # gunicorn has restarted the worker
        if committed:
            assert "signé" in page.body
        else:
            assert submit(browser, slot, page).status == 302
        check_consistent(app, prepared, expect_signed=True)
