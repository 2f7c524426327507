"""Invitations, reminders (at most one per signatory per period) and expiry, through services and commands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from convsign.extensions import db
from convsign.followup.reminders import expire_due, remind_due
from convsign.models import AuditEntry, Convention, ConventionStatus, Mandate, OutboxMessage, Signatory
from convsign.models.types import local_today
from tests.world import Territory, build_territory, open_convention


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


def messages(app: Flask, subject_start: str) -> list[OutboxMessage]:
    with app.app_context():
        found = list(
            db.session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.subject.startswith(subject_start))
                .order_by(OutboxMessage.id)
            )
        )
        db.session.expunge_all()
        return found


def audit_count(app: Flask, action: str) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == action)) or 0)


def remind(app: Flask, now: datetime, days: int = 7) -> int:
    with app.app_context():
        reminded = remind_due(now, local_today(), days)
        db.session.commit()
        return len(reminded)


def test_opening_invites_the_first_stage_with_a_link(app: Flask, territory: Territory) -> None:
    convention_id = open_convention(app, territory)
    invitations = messages(app, "À signer")
    mayors = {territory.holder("Commune 1").email, territory.holder("Commune 2").email}
    assert {m.recipient for m in invitations} == mayors  # stage 1 only: the president's turn has not come
    with app.app_context():
        slots = {
            s.office_id: s.id
            for s in db.session.scalars(sa.select(Signatory).where(Signatory.convention_id == convention_id))
        }
    holder = territory.holder("Commune 1")
    body = next(m.body for m in invitations if m.recipient == holder.email)
    assert f"http://localhost/signer/{slots[holder.office_id]}" in body
    assert "Convention Territoriale Globale 2027-2030" in body


def test_the_next_stage_is_invited_once_the_previous_one_is_signed(app: Flask, territory: Territory) -> None:
    from tests.integration.test_signing_flow import sign

    convention_id = open_convention(app, territory)
    president = territory.holder("Président").email
    sign(app, convention_id, territory.holder("Commune 1").email)
    assert president not in [m.recipient for m in messages(app, "À signer")]
    sign(app, convention_id, territory.holder("Commune 2").email)
    assert [m.recipient for m in messages(app, "À signer")].count(president) == 1


def test_at_most_one_reminder_per_signatory_per_period(app: Flask, territory: Territory) -> None:
    open_convention(app, territory)
    opened = datetime.now(UTC)
    assert remind(app, opened + timedelta(days=6)) == 0  # too early
    assert remind(app, opened + timedelta(days=7, minutes=1)) == 2  # the two mayors; not the president (waiting)
    assert remind(app, opened + timedelta(days=7, minutes=2)) == 0
    assert remind(app, opened + timedelta(days=10)) == 0
    assert remind(app, opened + timedelta(days=14, minutes=2)) == 2
    reminders = messages(app, "Relance")
    assert len(reminders) == 4 and len({m.dedup_key for m in reminders}) == 4
    assert audit_count(app, "signatory_reminded") == 4
    with app.app_context():
        assert all(
            s.reminded_at is not None for s in db.session.scalars(sa.select(Signatory).where(Signatory.stage == 1))
        )


def test_a_blocked_slot_is_not_reminded(app: Flask, territory: Territory) -> None:
    open_convention(app, territory)
    with app.app_context():  # the mayor of commune 1 left office: the slot is blocked, not "à signer"
        mandate = db.session.scalar(
            sa.select(Mandate).where(Mandate.office_id == territory.holder("Commune 1").office_id)
        )
        assert mandate is not None
        mandate.end_date = local_today() - timedelta(days=1)
        db.session.commit()
    assert remind(app, datetime.now(UTC) + timedelta(days=8)) == 1
    assert [m.recipient for m in messages(app, "Relance")] == [territory.holder("Commune 2").email]


def test_remind_command_sends_and_reports(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    open_convention(app, territory)
    with app.app_context():
        db.session.execute(
            sa.update(Signatory)
            .where(Signatory.invited_at.is_not(None))
            .values(invited_at=datetime.now(UTC) - timedelta(days=8))
        )
        db.session.commit()
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "2 relance(s) mise(s) en file" in result.output
    assert all(m.sent_at is not None for m in messages(app, "Relance"))  # delivered (.eml) after the commit
    again = runner.invoke(args=["remind"])
    assert "0 relance(s)" in again.output


def test_expiry_marks_conventions_past_their_deadline(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    late = open_convention(app, territory, "Convention en retard")
    on_time = open_convention(app, territory, "Convention à l'heure")
    with app.app_context():
        db.session.get(Convention, late).deadline = local_today() - timedelta(days=1)  # type: ignore[union-attr]
        db.session.get(Convention, on_time).deadline = local_today()  # type: ignore[union-attr]
        db.session.commit()
    result = runner.invoke(args=["expire"])
    assert result.exit_code == 0, result.output
    assert "1 convention(s) marquée(s) expirée(s)" in result.output
    with app.app_context():
        assert db.session.get(Convention, late).status == ConventionStatus.EXPIRED  # type: ignore[union-attr]
        assert db.session.get(Convention, on_time).status == ConventionStatus.CIRCULATING  # type: ignore[union-attr]
        assert expire_due(datetime.now(UTC), local_today()) == []  # nothing more to expire
    assert audit_count(app, "convention_expired") == 1
    [notice] = messages(app, "Convention expirée")
    assert notice.recipient == territory.coordinator_email
    assert "/echeance" in notice.body


def test_reminders_skip_expired_conventions(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    convention_id = open_convention(app, territory)
    with app.app_context():
        db.session.get(Convention, convention_id).deadline = date(2020, 1, 1)  # type: ignore[union-attr]
        db.session.execute(sa.update(Signatory).values(invited_at=datetime.now(UTC) - timedelta(days=30)))
        db.session.commit()
    result = runner.invoke(args=["remind"])
    assert "1 convention(s) marquée(s) expirée(s)" in result.output
    assert "0 relance(s)" in result.output
