"""Hostile text in the forms: markup, typst syntax, control characters, right-to-left marks, very
long strings, NUL and line breaks meant for e-mail headers.

What is accepted is stored exactly as typed and shown escaped: in the pages (no raw tag), in the
generated PDF (the text itself, typst syntax included; only C0/C1 controls are dropped, as the
generator says) and in the e-mails (plain text, never a header of its own making).
"""

from __future__ import annotations

import io
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from werkzeug.datastructures import MultiDict

from convsign.extensions import db
from convsign.models import Convention, ConventionParty, Deliberation, OutboxMessage, Role, Signatory, User
from convsign.outbox.delivery import deliver_due
from tests.conftest import Auth, Factory, post_form, text
from tests.web.test_conventions import form_values, saved_draft, submit
from tests.web.test_signing import slot_id
from tests.world import Territory, build_territory, open_convention

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TYPST = "#set text(fill: red) ] $x^2$ *gras* @ref // // \\"
MARKUP = f"{SCRIPT} {IMG} {TYPST}"
INVISIBLE = "a\u200bb \u202egauche\u202c"  # zero-width space, right-to-left override
ESCAPE = "\x1b[31m"
HEADER_INJECTION = "Titre\r\nBcc: espion@example.org"


def raw(response: Any) -> str:
    """The HTML as served, entities NOT decoded: what a browser parses."""
    return str(response.get_data(as_text=True))


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(value: str) -> str:
    """Text without any whitespace: the PDF's lines break where the page ends, not where we typed."""
    return "".join(value.split())


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


@pytest.fixture
def coordinator(client: FlaskClient, auth: Auth, territory: Territory) -> FlaskClient:
    auth.login(territory.coordinator_email)
    return client


def edit(client: FlaskClient, convention_id: int, **values: str) -> Any:
    """Save the draft form with `values` changed, as a browser would submit it."""
    path = f"/conventions/{convention_id}/modifier"
    form: MultiDict[str, str] = form_values(text(client.get(path)))
    for name, value in values.items():
        form[name.replace("__", "-")] = value
    return submit(client, path, form)


def stored(app: Flask, convention_id: int) -> tuple[str, str | None, list[str]]:
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        return convention.title, convention.preamble, [o.text for o in convention.objectives]


def test_convention_text_is_stored_as_typed_and_shown_escaped_in_page_and_pdf(
    app: Flask, coordinator: FlaskClient, territory: Territory
) -> None:
    convention_id = saved_draft(app, territory)
    title = f"{MARKUP} {INVISIBLE}"
    preamble = f"{MARKUP}\r\n{ESCAPE}fin {INVISIBLE} " + "long " * 2000  # 10,000 characters: under the 20,000
    objective = f"{TYPST} {IMG}"
    response = edit(coordinator, convention_id, title=title, preamble=preamble, objectives__0__text=objective)
    assert response.status_code == 302, text(response)[-2000:]
    saved_title, saved_preamble, objectives = stored(app, convention_id)
    assert (saved_title, saved_preamble, objectives[0]) == (title, preamble, objective)

    assert_escaped(raw(coordinator.get(f"/conventions/{convention_id}")))
    assert_escaped(raw(coordinator.get(f"/conventions/{convention_id}/modifier")))
    assert_escaped(raw(coordinator.get("/conventions/")))

    preview = coordinator.get(f"/conventions/{convention_id}/apercu")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    written = flat(pdf_text(preview.get_data()))
    for typed in (SCRIPT, IMG, TYPST):
        assert flat(typed) in written, typed
    # typst lays out the right-to-left override as it should: "gauche" is drawn reversed.
    assert "ehcuag" in written
    assert "\x1b" not in written and flat("[31mfin") in written  # the control character alone is dropped


@pytest.mark.parametrize(("field", "limit"), [("title", 300), ("preamble", 20000), ("objectives__0__text", 2000)])
def test_over_long_text_is_refused_in_french(
    app: Flask, coordinator: FlaskClient, territory: Territory, field: str, limit: int
) -> None:
    convention_id = saved_draft(app, territory)
    before = stored(app, convention_id)
    response = edit(coordinator, convention_id, **{field: "x" * (limit + 1)})
    assert response.status_code in (200, 422)  # the draft form is shown again, its errors on it
    assert f"Le champ ne peut pas contenir plus de {limit} caractères." in text(response)
    assert stored(app, convention_id) == before


@pytest.mark.parametrize("field", ["title", "preamble"])
def test_a_nul_character_is_refused_in_french_and_never_reaches_the_database(
    app: Flask, coordinator: FlaskClient, territory: Territory, field: str
) -> None:
    convention_id = saved_draft(app, territory)
    before = stored(app, convention_id)
    response = edit(coordinator, convention_id, **{field: "avant\x00après"})
    assert response.status_code == 400
    assert "caractère nul" in text(response)
    assert stored(app, convention_id) == before


def test_a_nul_character_in_json_is_refused_by_the_api(app: Flask, client: FlaskClient, territory: Territory) -> None:
    from tests.api.conftest import bearer, token_for

    convention_id = saved_draft(app, territory)
    token = token_for(app, territory.coordinator_email)
    response = client.post(
        f"/api/v1/conventions/{convention_id}/cancel", json={"reason": "a\u0000b"}, headers=bearer(token)
    )
    assert response.status_code == 400 and "caractère nul" in response.get_json()["detail"]


def test_a_deliberation_subject_is_stored_as_typed_and_shown_escaped(
    app: Flask, coordinator: FlaskClient, territory: Territory
) -> None:
    from tests.web.test_deliberations import siren, valid_form

    convention_id = open_convention(app, territory, waive_deliberations=False)
    commune = territory.commune_ids[0]
    with app.app_context():
        party = db.session.scalar(
            sa.select(ConventionParty.id).where(
                ConventionParty.convention_id == convention_id, ConventionParty.organisation_id == commune
            )
        )
    subject = f"{MARKUP}\r\n{INVISIBLE}"
    path = f"/deliberations/partie/{party}"
    response = post_form(coordinator, path, valid_form(siren(app, commune), subject=subject, secretary=IMG))
    assert response.status_code == 302, text(response)[-2000:]
    with app.app_context():
        found = db.session.scalar(sa.select(Deliberation).where(Deliberation.convention_party_id == party))
        assert found is not None and (found.subject, found.secretary) == (subject, IMG)
    assert_escaped(raw(coordinator.get(path)))


def eml_files(app: Flask) -> list[EmailMessage]:
    """Deliver what is queued (the test client never runs the after-response delivery), read the files."""
    with app.app_context():
        report = deliver_due()
        assert report.failed == 0, report
    files = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]  # type: ignore[misc]


def body_of(message: EmailMessage) -> str:
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    return str(message.get_content())


def test_a_refusal_reason_reaches_page_and_e_mail_as_typed(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory
) -> None:
    convention_id = open_convention(app, territory)
    mayor = territory.holder("Commune 1")
    slot_pk = slot_id(app, convention_id, mayor)
    reason = f"{MARKUP}\r\n{INVISIBLE}"
    auth.login(mayor.email)
    response = post_form(client, f"/signer/{slot_pk}/refus", {"reason": reason}, token_from=f"/signer/{slot_pk}")
    assert response.status_code == 302
    with app.app_context():
        refused = db.session.get(Signatory, slot_pk)
        assert refused is not None and refused.refusal_reason == reason
    auth.logout()
    auth.login(territory.coordinator_email)
    assert_escaped(raw(client.get(f"/conventions/{convention_id}/refus")))
    [message] = [m for m in eml_files(app) if str(m["Subject"]).startswith("Refus de signature")]
    assert flat(reason) in flat(body_of(message))


def test_a_title_with_a_line_break_makes_no_e_mail_header(app: Flask, territory: Territory) -> None:
    open_convention(app, territory, title=HEADER_INJECTION)
    with app.app_context():
        subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert subjects and all("\r" not in s and "\n" not in s for s in subjects)
    messages = eml_files(app)
    assert messages
    for message in messages:
        assert all(name.lower() != "bcc" for name in message)
    # The title is still there, on the subject's one line.
    assert any("Titre Bcc: espion@example.org" in str(m["Subject"]) for m in messages)


def test_a_user_name_with_a_line_break_makes_no_e_mail_header(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory
) -> None:
    auth.login(factory.user(Role.ADMIN).email)
    name = f"Jeanne {SCRIPT}\r\nBcc: espion@example.org {INVISIBLE}"[:200]
    data = {
        "name": name,
        "email": "jeanne@example.org",
        "roles": ["signatory"],
        "organisation_id": "",
        "preferred_language": "fr",
    }
    response = post_form(client, "/admin/utilisateurs/nouveau", data)
    assert response.status_code == 302, text(response)[-2000:]
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "jeanne@example.org"))
        assert user is not None and user.name == name
    assert_escaped(raw(client.get("/admin/utilisateurs")))
    [message] = eml_files(app)
    assert all(key.lower() != "bcc" for key in message) and message["To"] == "jeanne@example.org"
    assert flat(name) in flat(body_of(message))
