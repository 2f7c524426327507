"""The whole signing circuit through the services, checked by an independent PAdES validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, ConventionStatus, Mandate, Signatory, SlotState, User
from convsign.pdf.fields import list_signature_fields
from convsign.pdf.validation import validate_document
from convsign.signing import keys, services
from convsign.signing.errors import DocumentChanged, SigningRefused, WrongSigningPassphrase
from convsign.trust import platform
from tests.world import PASSPHRASE, Territory, build_territory, open_convention


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


def sign(app: Flask, convention_id: int, email: str, passphrase: str = PASSPHRASE,
         seen: str | None = None) -> None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        slot = next(s for s in convention.signatories
                    if s.office.holder_on(datetime.now(UTC).date()).user_id == user.id)  # type: ignore[union-attr]
        now = datetime.now(UTC)
        mandate = db.session.scalar(sa.select(Mandate).where(Mandate.user_id == user.id))
        assert mandate is not None
        if keys.active_key(user, mandate, now) is None:
            keys.create_key(user, mandate, PASSPHRASE, now)
            db.session.commit()
        services.sign_slot(slot.id, user, passphrase, seen or convention.latest_sha256 or "", now)
        db.session.commit()


def test_four_signatories_in_three_stages_reach_b_lta(app: Flask, territory: Territory) -> None:
    convention_id = open_convention(app, territory)
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None and convention.status == ConventionStatus.CIRCULATING
        prepared = documents.latest_content(convention)
        names = {f.name for f in list_signature_fields(prepared) if f.box is not None}
        assert names == {s.field_name for s in convention.signatories}
    order = [territory.holder("Commune 2"), territory.holder("Commune 1"), territory.holder("Président"),
             territory.holder("Directeur")]
    for holder in order:
        sign(app, convention_id, holder.email)
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        assert convention.status == ConventionStatus.SIGNED
        assert convention.revision_count == 6  # prepared, four signatures, completion
        report = validate_document(documents.latest_content(convention), platform.trust_settings())
    assert report.valid
    approvals = [s for s in report.signatures if s.kind == "approval"]
    assert len(approvals) == 4
    assert all(s.intact and s.trusted and s.timestamp_time is not None for s in report.signatures)
    assert report.level == "B-LTA"


def test_rules_refuse_wrong_signer_stage_and_stale_hash(app: Flask, territory: Territory) -> None:
    convention_id = open_convention(app, territory)
    with pytest.raises(SigningRefused, match="pas encore venu"):
        sign(app, convention_id, territory.holder("Président").email)
    with app.app_context():
        stale = db.session.get(Convention, convention_id).latest_sha256  # type: ignore[union-attr]
    sign(app, convention_id, territory.holder("Commune 1").email)
    with pytest.raises(DocumentChanged):
        sign(app, convention_id, territory.holder("Commune 2").email, seen=stale)
    with pytest.raises(WrongSigningPassphrase):
        sign(app, convention_id, territory.holder("Commune 2").email, passphrase="pas la bonne phrase")
    with app.app_context():
        slots = db.session.scalars(sa.select(Signatory).where(Signatory.convention_id == convention_id)).all()
        assert [s.state for s in slots].count(SlotState.SIGNED) == 1
        assert db.session.get(Convention, convention_id).revision_count == 2  # type: ignore[union-attr]
