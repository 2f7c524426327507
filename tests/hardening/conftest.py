"""Set-up for tests that run the app in real processes: a territory, an opened convention, keys."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask

from convsign.conventions import services as conventions
from convsign.extensions import db
from convsign.models import Mandate, Signatory, User
from convsign.signing import keys
from tests.world import PASSPHRASE, Holder, Territory, build_territory, convention_data, waive_all


@dataclasses.dataclass(frozen=True)
class Prepared:
    """An opened convention whose signatories all have a key: (holder, slot id) pairs."""

    convention_id: int
    signers: tuple[tuple[Holder, int], ...]


def prepare_convention(app: Flask, communes: int, prefix: str, department: str = "62", one_stage: bool = True,
                       territory: Territory | None = None) -> Prepared:
    """A convention of `communes` communes + EPCI + CAF, every slot in stage 1 if `one_stage`."""
    territory = territory or build_territory(app, communes=communes, prefix=prefix, department=department)
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        data = convention_data(territory, f"Convention {prefix}")
        if one_stage:
            data = dataclasses.replace(data, signatories=tuple(
                dataclasses.replace(s, stage=1) for s in data.signatories))
        convention = conventions.save_draft(data, coordinator)
        waive_all(convention)
        conventions.open_convention(convention, coordinator, datetime.now(UTC))
        for holder in territory.holders:
            user = db.session.get(User, holder.user_id)
            mandate = db.session.scalar(sa.select(Mandate).where(Mandate.office_id == holder.office_id))
            assert user is not None and mandate is not None
            keys.create_key(user, mandate, PASSPHRASE, datetime.now(UTC))
        db.session.commit()
        slots = {s.office_id: s.id for s in db.session.scalars(
            sa.select(Signatory).where(Signatory.convention_id == convention.id))}
        return Prepared(convention.id, tuple((h, slots[h.office_id]) for h in territory.holders))
