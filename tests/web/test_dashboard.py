"""The coordinator's dashboard, a convention's timeline, the signatory's inbox, and their SQL cost.

Conventions are opened by setting their status (no PDF is generated: the dashboard reads rows
only), and slot facts (signed, refused, reminded) are set directly, as the flows would set them.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.audit.services import record
from convsign.conventions import services as conventions
from convsign.dashboard import services as dashboard_services
from convsign.demo import conventions as demo_conventions
from convsign.demo import services as demo
from convsign.extensions import db
from convsign.models import (
    Convention,
    ConventionStatus,
    Mandate,
    Signatory,
    SlotState,
    User,
)
from tests import load
from tests.conftest import TEST_PASSWORD, Auth, Factory, text
from tests.world import Holder, Territory, build_territory, convention_data

OPENED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=3)


def make_convention(app: Flask, territory: Territory, title: str, *, opened: bool = True,
                    deadline: date | None = None, when: datetime = OPENED) -> int:
    """A convention through the draft service, opened by status (deliberations waived: not this test's subject)."""
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        data = dataclasses.replace(convention_data(territory, title), deadline=deadline)
        convention = conventions.save_draft(data, coordinator)
        for party in convention.parties:
            party.deliberation_required = False
        if opened:
            convention.status, convention.opened_at = ConventionStatus.CIRCULATING, when
            conventions.invite_open_stage(convention, when)
        db.session.commit()
        return convention.id


def set_slot(app: Flask, convention_id: int, holder: Holder, **values: Any) -> None:
    with app.app_context():
        slot = db.session.scalar(sa.select(Signatory).where(
            Signatory.convention_id == convention_id, Signatory.office_id == holder.office_id))
        assert slot is not None
        for name, value in values.items():
            setattr(slot, name, value)
        db.session.commit()


def sign(app: Flask, convention_id: int, holder: Holder, revision: int, at: datetime) -> None:
    set_slot(app, convention_id, holder, state=SlotState.SIGNED, signed_at=at, signed_by_id=holder.user_id,
             signed_revision=revision)


def end_mandate(app: Flask, holder: Holder) -> None:
    with app.app_context():
        mandate = db.session.scalar(sa.select(Mandate).where(Mandate.office_id == holder.office_id))
        assert mandate is not None
        mandate.end_date = date(2024, 1, 1)
        db.session.commit()


def section(page: str, title: str) -> str:
    """The HTML of the dashboard section of the convention titled `title`."""
    start = page.index(f">{title}</a></h2>")
    end = page.find('<section class="dash-convention"', start)
    return re.sub(r"\s+", " ", page[start:end if end != -1 else len(page)])


# Content per status -----------------------------------------------------------------------------


def test_each_status_is_shown_with_its_date_reason_or_link(app: Flask, client: FlaskClient, auth: Auth,
                                                           territory: Territory) -> None:
    mayor1, mayor2, mayor3 = (territory.holder(f"Commune {i}") for i in (1, 2, 3))
    first = make_convention(app, territory, "CTG avec signatures")
    sign(app, first, mayor1, revision=2, at=datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    set_slot(app, first, mayor2, reminded_at=datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    end_mandate(app, mayor3)
    second = make_convention(app, territory, "CTG refusée")
    set_slot(app, second, mayor1, state=SlotState.REFUSED, refused_at=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
             refusal_reason="Le conseil municipal doit d'abord délibérer.")
    auth.login(territory.coordinator_email)
    page = text(client.get("/tableau-de-bord"))
    signed = section(page, "CTG avec signatures")
    assert "1 signature sur 5" in signed and "Étape 1 : les communes : 1 / 3" in signed
    assert "le 3 mars 2026" in signed and f'href="/conventions/{first}/document?revision=2"' in signed
    assert "à signer</span> depuis le 2 mars 2026" in signed and "relancé le 9 mars 2026" in signed
    assert "n'a pas de titulaire enregistré" in signed and "aucun titulaire" in signed
    refused = section(page, "CTG refusée")
    assert "refusé</span> le 4 mars 2026" in refused
    assert "Motif : Le conseil municipal doit d'abord délibérer." in refused
    assert "à signer</span> depuis le 2 mars 2026" in refused  # the refusal halts the circuit after its stage


def test_a_past_deadline_blocks_the_open_stage(app: Flask, client: FlaskClient, auth: Auth,
                                              territory: Territory) -> None:
    make_convention(app, territory, "CTG en retard", deadline=date(2026, 1, 31))
    auth.login(territory.coordinator_email)
    page = section(text(client.get("/tableau-de-bord")), "CTG en retard")
    assert page.count("la date limite de signature est dépassée") == 3
    assert "3 bloqués" in page


# Filters and sorting ----------------------------------------------------------------------------


def titles(page: str) -> list[str]:
    return re.findall(r'<h2 id="convention-\d+"><a href="[^"]+">([^<]+)</a></h2>', page)


def test_filters_by_state_epci_and_blocked(app: Flask, client: FlaskClient, auth: Auth, factory: Factory,
                                          territory: Territory) -> None:
    make_convention(app, territory, "Brouillon", opened=False)
    make_convention(app, territory, "En circulation")
    make_convention(app, territory, "Bloquée", deadline=date(2026, 1, 31))
    other = build_territory(app, communes=0, prefix="236")
    make_convention(app, other, "Ailleurs")
    admin = factory.user(factory_role("admin"))
    auth.login(admin.email)
    every = ["Ailleurs", "Bloquée", "Brouillon", "En circulation"]
    assert sorted(titles(text(client.get("/tableau-de-bord")))) == every
    assert titles(text(client.get("/tableau-de-bord?etat=brouillon"))) == ["Brouillon"]
    assert titles(text(client.get(f"/tableau-de-bord?epci={other.epci_id}"))) == ["Ailleurs"]
    assert titles(text(client.get("/tableau-de-bord?bloques=y"))) == ["Bloquée"]
    both = text(client.get(f"/tableau-de-bord?bloques=y&epci={other.epci_id}"))
    assert titles(both) == [] and "Aucune convention ne correspond" in both
    # A value the form does not offer is ignored rather than an error.
    assert len(titles(text(client.get("/tableau-de-bord?etat=inconnu&epci=abc&tri=x")))) == 4


def factory_role(name: str) -> Any:
    from convsign.models import Role

    return Role(name)


def test_sorting(app: Flask, client: FlaskClient, auth: Auth, territory: Territory) -> None:
    mayors = [territory.holder(f"Commune {i}") for i in (1, 2, 3)]
    half = make_convention(app, territory, "B moitié", deadline=date(2027, 5, 1),
                           when=datetime(2026, 3, 1, tzinfo=UTC))
    sign(app, half, mayors[0], 2, OPENED)
    sign(app, half, mayors[1], 3, OPENED)
    make_convention(app, territory, "C rien", deadline=date(2027, 4, 1), when=datetime(2026, 3, 5, tzinfo=UTC))
    most = make_convention(app, territory, "A presque", when=datetime(2026, 2, 1, tzinfo=UTC))
    for revision, mayor in enumerate(mayors, start=2):
        sign(app, most, mayor, revision, OPENED)
    auth.login(territory.coordinator_email)
    order = {sort: titles(text(client.get(f"/tableau-de-bord?tri={sort}"))) for sort in
             ("titre", "avancement", "avancement_desc", "ouverture", "ouverture_desc", "echeance")}
    assert order["titre"] == ["A presque", "B moitié", "C rien"]
    assert order["avancement"] == ["C rien", "B moitié", "A presque"]
    assert order["avancement_desc"] == ["A presque", "B moitié", "C rien"]
    assert order["ouverture"] == ["A presque", "B moitié", "C rien"]
    assert order["ouverture_desc"] == ["C rien", "B moitié", "A presque"]
    assert order["echeance"] == ["C rien", "B moitié", "A presque"]  # no deadline last


def test_pagination_keeps_the_filters(app: Flask, client: FlaskClient, auth: Auth) -> None:
    with app.app_context():
        world = load.build_territory(TEST_PASSWORD)
        load.add_conventions(world, 30)
    auth.login(load.COORDINATOR_EMAIL)
    first = text(client.get("/tableau-de-bord?tri=titre"))
    assert len(titles(first)) == 20 and "page 1 sur 2 (20 conventions par page)" in first
    assert 'href="/tableau-de-bord?tri=titre&amp;page=2"' in client.get("/tableau-de-bord?tri=titre").get_data(
        as_text=True)
    second = titles(text(client.get("/tableau-de-bord?tri=titre&page=2")))
    assert len(second) == 10 and second[-1] == "Convention de charge n° 0029"
    assert not set(second) & set(titles(first))


# CSV export -------------------------------------------------------------------------------------


def test_csv_export_one_row_per_signatory(app: Flask, client: FlaskClient, auth: Auth,
                                          territory: Territory) -> None:
    mayor1, mayor2 = territory.holder("Commune 1"), territory.holder("Commune 2")
    first = make_convention(app, territory, "=HYPERLINK(\"http://x\") CTG")
    sign(app, first, mayor1, revision=2, at=datetime(2026, 3, 3, 23, 30, tzinfo=UTC))
    set_slot(app, first, mayor2, reminded_at=datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    make_convention(app, territory, "Brouillon", opened=False)
    auth.login(territory.coordinator_email)
    response = client.get("/tableau-de-bord/export.csv?etat=en_circulation")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 5 and {row["N° convention"] for row in rows} == {str(first)}
    by_office = {row["Signataire"]: row for row in rows}
    signed = by_office[mayor1.title]
    # 23:30 UTC on 3 March is 4 March in Paris: the day is taken where the platform lives.
    assert signed["Statut"] == "signé" and signed["Signé le"] == "04/03/2026" and signed["Révision signée"] == "2"
    assert signed["Signé par"].startswith("Élu·e")
    reminded = by_office[mayor2.title]
    assert reminded["Statut"] == "à signer" and reminded["À signer depuis le"] == "02/03/2026"
    assert reminded["Relancé le"] == "09/03/2026" and reminded["Signées"] == "1" and reminded["Signataires"] == "5"
    assert by_office[territory.holder("Président").title]["Statut"] == "en attente"
    assert signed["Titre"] == "'=HYPERLINK(\"http://x\") CTG"  # never a formula in Excel


# Permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/tableau-de-bord", "/tableau-de-bord/export.csv"])
def test_anonymous_is_sent_to_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_who_sees_what(app: Flask, client: FlaskClient, auth: Auth, factory: Factory,
                       territory: Territory) -> None:
    ours = make_convention(app, territory, "Notre CTG")
    other = build_territory(app, communes=0, prefix="236")
    theirs = make_convention(app, other, "Leur CTG")
    admin = factory.user(factory_role("admin"))
    expected = [  # (who, dashboard status, titles seen, timeline of ours, timeline of theirs)
        (territory.holder("Commune 1").email, 403, None, 403, 403),
        (other.coordinator_email, 200, ["Leur CTG"], 404, 200),
        (territory.coordinator_email, 200, ["Notre CTG"], 200, 404),
        (admin.email, 200, ["Leur CTG", "Notre CTG"], 200, 200),
    ]
    for email, status, seen, ours_status, theirs_status in expected:
        auth.login(email)
        response = client.get("/tableau-de-bord")
        assert response.status_code == status, email
        if seen is not None:
            assert sorted(titles(text(response))) == seen, email
            exported = client.get("/tableau-de-bord/export.csv").get_data().decode("utf-8-sig")
            assert {row["Titre"] for row in csv.DictReader(io.StringIO(exported), delimiter=";")} == set(seen)
        assert client.get(f"/conventions/{ours}/chronologie").status_code == ours_status, email
        assert client.get(f"/conventions/{theirs}/chronologie").status_code == theirs_status, email
        auth.logout()


def test_the_nav_shows_the_dashboard_to_coordinators_only(client: FlaskClient, auth: Auth,
                                                          territory: Territory) -> None:
    auth.login(territory.coordinator_email)
    assert 'href="/tableau-de-bord"' in text(client.get("/"))
    auth.logout()
    auth.login(territory.holder("Commune 1").email)
    assert 'href="/tableau-de-bord"' not in text(client.get("/"))


# Timeline ---------------------------------------------------------------------------------------


def test_timeline_newest_first_in_french(app: Flask, client: FlaskClient, auth: Auth,
                                         territory: Territory) -> None:
    convention_id = make_convention(app, territory, "CTG chronologie")
    mayor = territory.holder("Commune 1")
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        slot = db.session.scalar(sa.select(Signatory.id).where(Signatory.office_id == mayor.office_id,
                                                               Signatory.convention_id == convention_id))
        record("convention_opened", actor=coordinator, convention_id=convention_id, sha256_after="ab" * 32)
        record("signature_created", actor=db.session.get(User, mayor.user_id), role="signataire",
               convention_id=convention_id, slot_id=slot)
        record("convention_cancelled", actor=coordinator, convention_id=convention_id, reason="Texte à revoir")
        record("login", actor=coordinator)  # not the convention's: not shown
        db.session.commit()
    auth.login(territory.coordinator_email)
    page = text(client.get(f"/conventions/{convention_id}/chronologie"))
    labels = re.findall(r"— <strong>([^<]+)</strong>", page)
    assert labels == ["Convention annulée", "Signature apposée", "Convention ouverte à la signature",
                      "Convention créée"]
    assert "Motif</dt><dd>Texte à revoir" in page and f"signataire : {mayor.title}" in page
    assert "ab" * 32 in page and "Connexion" not in page


# The signatory's inbox --------------------------------------------------------------------------


def test_inbox_lists_to_sign_then_waiting_then_signed(app: Flask, client: FlaskClient, auth: Auth,
                                                      territory: Territory) -> None:
    mayor = territory.holder("Commune 1")
    to_sign = make_convention(app, territory, "À signer maintenant")
    blocked = make_convention(app, territory, "Bloquée par la date", deadline=date(2026, 1, 31))
    done = make_convention(app, territory, "Déjà signée")
    sign(app, done, mayor, revision=2, at=datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    with app.app_context():
        db.session.get(Convention, done).revision_count = 4
        db.session.commit()
    auth.login(mayor.email)
    page = text(client.get("/"))
    assert page.index("À signer maintenant") < page.index("Bloquée par la date") < page.index("Déjà signée")
    assert "À signer depuis le 2 mars 2026" in page
    assert f'href="/signer/{slot_of(app, to_sign, mayor)}"' in page
    assert "la date limite de signature est dépassée" in page and f"/signer/{slot_of(app, blocked, mayor)}" in page
    assert f'href="/conventions/{done}/document?revision=2"' in page
    assert f'href="/conventions/{done}/document"' in page and "Le document à jour (révision 4)" in page


def slot_of(app: Flask, convention_id: int, holder: Holder) -> int:
    with app.app_context():
        found = db.session.scalar(sa.select(Signatory.id).where(
            Signatory.convention_id == convention_id, Signatory.office_id == holder.office_id))
        assert found is not None
        return found


# SQL queries: a fixed number, whatever the number of conventions shown ---------------------------


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent to the database while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def dashboard_queries(app: Flask, client: FlaskClient, path: str = "/tableau-de-bord",
                      warm: bool = True) -> tuple[int, str]:
    if warm:
        client.get(path)  # templates compiled, translations loaded
    with counting(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements), text(response)


def test_queries_do_not_grow_with_the_conventions_shown(app: Flask, client: FlaskClient, auth: Auth,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard_services, "PAGE_SIZE", 50)  # the count holds for any page size up to 500
    with app.app_context():
        world = load.build_territory(TEST_PASSWORD)
        load.add_conventions(world, 5)
    auth.login(load.COORDINATOR_EMAIL)
    few, page = dashboard_queries(app, client)
    assert len(titles(page)) == 5
    few_blocked, _page = dashboard_queries(app, client, "/tableau-de-bord?bloques=y")
    with app.app_context():
        load.add_conventions(world, 495, first=5)
    many, page = dashboard_queries(app, client, warm=False)
    assert len(titles(page)) == 50 and "500 conventions" in page and page.count("<tr>") >= 50 * 40
    many_blocked, page = dashboard_queries(app, client, "/tableau-de-bord?bloques=y", warm=False)
    assert len(titles(page)) == 50
    assert few == many and few <= 15, (few, many)
    # Blocked only: a first pass judges every candidate, then the page is loaded as usual.
    assert few_blocked == many_blocked and few_blocked <= 20, (few_blocked, many_blocked)
    with counting(app) as statements:
        exported = client.get("/tableau-de-bord/export.csv")
    assert exported.get_data().count(b"\r\n") == 1 + 500 * 40 and len(statements) <= 15


def test_demo_dashboard_and_inbox_queries(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    with app.app_context():
        demo.load_demo(tmp_path / "logins.txt")  # its CTG of 38 signatories included
        signatories = db.session.scalar(sa.select(sa.func.count()).select_from(Signatory))
        coordinator = db.session.scalar(sa.select(User).where(User.email == f"coordination@{demo.DOMAIN}"))
        mayor = db.session.scalar(sa.select(User).join(Mandate, Mandate.user_id == User.id)
                                  .join(Signatory, Signatory.office_id == Mandate.office_id).limit(1))
        assert coordinator is not None and mayor is not None and signatories == 38
        coordinator.password_hash = mayor.password_hash = _test_hash()
        mayor_email = mayor.email
        db.session.commit()
    auth = Auth(client)
    auth.login(f"coordination@{demo.DOMAIN}")
    queries, page = dashboard_queries(app, client)
    assert queries <= 15 and "38 signataires" in page and page.count("<tr>") == 39
    auth.logout()
    auth.login(mayor_email)
    inbox_queries, page = dashboard_queries(app, client, "/")
    assert demo_conventions.TITLE in page and inbox_queries <= 15


def _test_hash() -> str:
    from convsign.auth.passwords import hash_password

    return hash_password(TEST_PASSWORD)
