"""The audit trail: the chain verified by `flask audit verify` against edits, deletions and swaps
made directly in the database, the witness that reveals a cut end, the journal page's permissions,
and a label for every recorded action."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from convsign import labels
from convsign.audit import services as audit
from convsign.extensions import db
from convsign.models import AuditEntry, OrganisationKind, Role, Signatory, User
from tests.conftest import Auth, Factory, text
from tests.world import Territory, build_territory, open_convention

PACKAGE = Path(__file__).resolve().parents[2] / "convsign"


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


def entry_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.id)))


def execute(app: Flask, *statements: tuple[str, dict[str, object]]) -> None:
    """Tamper as someone with database access would: plain SQL, committed."""
    with app.app_context():
        for sql, params in statements:
            db.session.execute(sa.text(sql), params)
        db.session.commit()


def verify(runner: FlaskCliRunner) -> tuple[int, str]:
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_an_untouched_chain_verifies(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    count = len(entry_ids(app))
    assert count >= 8  # organisations, people, mandates of the territory
    code, output = verify(runner)
    assert code == 0, output
    assert f"{count} entrées vérifiées, chaîne intacte" in output


def test_an_edited_entry_is_named(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    target = entry_ids(app)[3]
    execute(app, ("UPDATE audit_entry SET actor_name = 'Quelqu''un d''autre' WHERE id = :id", {"id": target}))
    code, output = verify(runner)
    assert code == 1
    assert f"entrée n° {target} : entrée modifiée" in output


def test_a_deleted_entry_is_named_by_its_successor(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    ids = entry_ids(app)
    execute(app, ("DELETE FROM audit_entry WHERE id = :id", {"id": ids[2]}))
    code, output = verify(runner)
    assert code == 1
    assert f"entrée n° {ids[3]} : entrée supprimée ou déplacée" in output


def test_two_swapped_entries_are_named(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    ids = entry_ids(app)
    first, second = ids[1], ids[4]
    execute(
        app,
        ("UPDATE audit_entry SET id = -1 WHERE id = :id", {"id": first}),
        ("UPDATE audit_entry SET id = :to WHERE id = :id", {"to": first, "id": second}),
        ("UPDATE audit_entry SET id = :to WHERE id = -1", {"to": second}),
    )
    code, output = verify(runner)
    assert code == 1
    assert f"entrée n° {first} : entrée supprimée ou déplacée" in output


def test_swapped_contents_are_named(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    ids = entry_ids(app)
    first, second = ids[2], ids[5]
    execute(
        app,
        (
            "UPDATE audit_entry SET action = (SELECT action FROM audit_entry WHERE id = :b), "
            "details = (SELECT details FROM audit_entry WHERE id = :b) WHERE id = :a",
            {"a": first, "b": second},
        ),
    )
    code, output = verify(runner)
    assert code == 1
    assert f"entrée n° {first} : entrée modifiée" in output


def test_the_newest_entries_deleted_are_named_by_the_witness(
    app: Flask, runner: FlaskCliRunner, territory: Territory
) -> None:
    ids = entry_ids(app)
    execute(app, ("DELETE FROM audit_entry WHERE id >= :id", {"id": ids[-2]}))
    with app.app_context():  # what remains is a shorter chain, intact on its own
        assert audit.verify_chain() == (len(ids) - 2, None)
    code, output = verify(runner)
    assert code == 1
    assert f"entrée n° {ids[-2]} : entrée supprimée ou déplacée" in output


def test_a_chain_rebuilt_after_an_edit_is_caught_by_the_witness(
    app: Flask, runner: FlaskCliRunner, territory: Territory
) -> None:
    ids = entry_ids(app)
    with app.app_context():  # the forger recomputes every hash after the edited row
        previous = audit.GENESIS_HASH
        for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)):
            if entry.id == ids[3]:
                entry.details = '{"forged":true}'
            entry.previous_hash, entry.entry_hash = previous, "x" * 64
            db.session.flush()
            entry.entry_hash = audit.compute_hash(previous, entry)
            previous = entry.entry_hash
        db.session.commit()
        assert audit.verify_chain()[1] is None
    code, output = verify(runner)
    assert code == 1
    assert f"entrée n° {ids[3]} : entrée modifiée" in output


def test_a_rolled_back_entry_is_not_witnessed(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    with app.app_context():
        audit.record("login_failed", email="personne@example.org")
        db.session.rollback()
        audit.record("login_failed", email="autre@example.org")
        db.session.commit()
    code, output = verify(runner)
    assert code == 0, output


def test_an_entry_records_the_actor_roles_organisation_and_every_field(app: Flask, territory: Territory) -> None:
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        entry = audit.record(
            "convention_updated",
            actor=coordinator,
            convention_id=7,
            slot_id=3,
            sha256_before="a" * 64,
            sha256_after="b" * 64,
            certificate_sha256="c" * 64,
            note="n",
        )
        assert entry.actor_role == "coordinator" and entry.organisation_id == territory.epci_id
        form = audit.canonical(entry)
        for value in (
            '"convention_updated"',
            '"coordinator"',
            '"aaaa',
            '"bbbb',
            '"cccc',
            '"slot_id":3',
            '"convention_id":7',
            f'"organisation_id":{territory.epci_id}',
            '"at":',
            '"ip":',
            '"user_agent":',
            '\\"note\\":\\"n\\"',
        ):
            assert value in form, value
        db.session.rollback()


def recorded_actions() -> set[str]:
    """Every action name passed as a literal to `record(...)` anywhere in the package."""
    actions: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record"
                and node.args
            ):
                actions |= {
                    n.value for n in ast.walk(node.args[0]) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    return actions


def test_every_recorded_action_has_a_label() -> None:
    actions = recorded_actions()
    assert {"signature_created", "login", "convention_opened"} <= actions
    assert sorted(actions - set(labels.AUDIT_ACTIONS)) == []


# The journal page ----------------------------------------------------------------------------


@pytest.fixture
def journal_world(app: Flask, territory: Territory) -> int:
    """An opened convention, with an entry of each commune's mayor on their own slot."""
    convention_id = open_convention(app, territory)
    with app.app_context():
        for holder in territory.holders[:2]:
            mayor = db.session.get(User, holder.user_id)
            slot = db.session.scalar(
                sa.select(Signatory.id).where(
                    Signatory.convention_id == convention_id, Signatory.office_id == holder.office_id
                )
            )
            audit.record(
                "signature_created",
                actor=mayor,
                role="signataire",
                convention_id=convention_id,
                slot_id=slot,
                sha256_before="1" * 64,
                sha256_after="2" * 64,
                certificate_sha256="3" * 64,
                marker=holder.title,
            )
        db.session.commit()
    return convention_id


def journal_page(client: FlaskClient, auth: Auth, email: str, convention_id: int) -> tuple[int, str]:
    auth.login(email)
    response = client.get(f"/conventions/{convention_id}/journal")
    auth.logout()
    return response.status_code, text(response)


def test_the_coordinator_reads_every_entry_newest_first(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, journal_world: int
) -> None:
    status, page = journal_page(client, auth, territory.coordinator_email, journal_world)
    assert status == 200
    assert page.count("signature apposée") == 2
    assert "convention ouverte à la signature" in page and "convention créée" in page
    assert page.index("Maire de Commune 2") < page.index("Maire de Commune 1") < page.index("convention créée")
    assert "Claire Coordinatrice" in page and "Coordinateur" in page
    with app.app_context():
        newest = db.session.scalar(
            sa.select(AuditEntry)
            .where(AuditEntry.convention_id == journal_world)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        assert newest is not None
        assert newest.entry_hash[:12] in page
    assert "111111111111…" in page and "222222222222…" in page and "333333333333…" in page


def test_a_mayor_reads_only_their_organisation_s_entries(
    client: FlaskClient, auth: Auth, territory: Territory, journal_world: int
) -> None:
    mayor = territory.holder("Commune 1")
    status, page = journal_page(client, auth, mayor.email, journal_world)
    assert status == 200
    assert page.count("signature apposée") == 1 and "Maire de Commune 1" in page
    assert "Maire de Commune 2" not in page and "convention ouverte à la signature" not in page
    assert "par les personnes de votre organisation" in page


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("president", 200),
        ("other_coordinator", 404),
        ("stranger", 404),
    ],
)
def test_who_may_open_the_journal(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    factory: Factory,
    territory: Territory,
    journal_world: int,
    who: str,
    expected: int,
) -> None:
    other_org = factory.organisation(OrganisationKind.EPCI, name="Autre EPCI")
    emails = {
        "admin": factory.user(Role.ADMIN).email,
        "coordinator": territory.coordinator_email,
        "president": territory.holder("Président").email,
        "other_coordinator": factory.user(Role.COORDINATOR, organisation=other_org).email,
        "stranger": factory.user(Role.SIGNATORY).email,
    }
    status, page = journal_page(client, auth, emails[who], journal_world)
    assert status == expected
    if who == "admin":
        assert page.count("signature apposée") == 2


def test_the_journal_needs_a_login(client: FlaskClient, journal_world: int) -> None:
    response = client.get(f"/conventions/{journal_world}/journal")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_journal_rows_name_the_commune_and_the_signers_certificate(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory
) -> None:
    from convsign.deliberations import services as deliberations
    from convsign.models import ConventionParty, SigningKey
    from tests.web.test_signing import sign_through_pages, slot_id

    convention_id = open_convention(app, territory, waive_deliberations=False)
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        parties = sa.select(ConventionParty).where(ConventionParty.convention_id == convention_id)
        for party in db.session.scalars(parties):
            deliberations.waive(party, "Dispense de test", coordinator)  # type: ignore[arg-type]
        db.session.commit()
    mayor = territory.holder("Commune 1")
    signed_page: Any = sign_through_pages(client, auth, mayor, slot_id(app, convention_id, mayor))
    assert signed_page.status_code == 302
    with app.app_context():
        key = db.session.scalar(sa.select(SigningKey).where(SigningKey.user_id == mayor.user_id))
        assert key is not None
        serial, fingerprint = key.serial_hex, key.certificate_sha256
    status, page = journal_page(client, auth, territory.coordinator_email, convention_id)
    assert status == 200
    waived = [row for row in page.split("<tr>") if "dispensée de délibération" in row or "dispense" in row.lower()]
    assert waived and any("<td>Commune 1</td>" in row for row in waived), waived[:2]
    signed = next(row for row in page.split("<tr>") if "signature apposée" in row)
    assert fingerprint in signed and fingerprint[:12] + "…" in signed  # shortened, the full value on expand
    assert serial in signed and serial[:8] + "…" in signed
