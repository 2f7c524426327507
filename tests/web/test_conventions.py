"""Convention pages through the client: the draft form without JavaScript, opening, cancelling, access."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader, PdfWriter
from werkzeug.datastructures import MultiDict

from convsign.conventions import services
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, ConventionStatus, ObjectiveDomain, Role, User
from convsign.models.types import local_today
from convsign.pdf.fields import list_signature_fields
from tests.conftest import Auth, Factory, post_form, text
from tests.world import Territory, build_territory, convention_data, open_convention, waive_all


class FormReader(HTMLParser):
    """Reads a page's forms as a browser would submit them: checked boxes, selected options, text."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append([])
        elif tag == "input" and a.get("name") and a.get("type", "text") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.forms[-1].append((a["name"], a.get("value", "on")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [v for v, _s in self._options[:1]]
            self.forms[-1] += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.forms[-1].append((self._textarea, self._text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None


def form_values(html: str) -> MultiDict[str, str]:
    """The values the convention form would submit."""
    reader = FormReader()
    reader.feed(html)
    return MultiDict(next(f for f in reader.forms if any(name == "title" for name, _v in f)))


def submit(client: FlaskClient, path: str, values: MultiDict[str, str], action: str = "save") -> Any:
    """Press the form's button `action` (the form's own values, as a browser sends them)."""
    data = MultiDict(values)
    data.setlist("action", [action])
    return client.post(path, data=data)


def rows(values: MultiDict[str, str], prefix: str, name: str) -> list[str]:
    """The values of one column of a repeated row, in row order: rows(v, 'objectives', 'text')."""
    pattern = re.compile(rf"^{prefix}-(\d+)-{name}$")
    found = sorted((int(m.group(1)), values[k]) for k in values if (m := pattern.match(k)))
    return [value for _index, value in found]


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


@pytest.fixture
def coordinator(client: FlaskClient, auth: Auth, territory: Territory) -> FlaskClient:
    auth.login(territory.coordinator_email)
    return client


def saved_draft(app: Flask, territory: Territory, **changes: Any) -> int:
    """A draft saved through the service; returns its id."""
    from dataclasses import replace

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert user is not None
        convention = services.save_draft(replace(convention_data(territory), **changes), user)
        waive_all(convention)  # the deliberation gate is the French layer's subject, not this file's
        db.session.commit()
        return convention.id


def load(app: Flask, convention_id: int) -> Convention:
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        for relation in (convention.parties, convention.objectives, convention.signatories):
            list(relation)
        db.session.expunge_all()
        return convention


# The draft form, without JavaScript ------------------------------------------------------------


def test_a_coordinator_builds_a_draft_with_the_form_buttons(
    app: Flask, coordinator: FlaskClient, territory: Territory
) -> None:
    page = coordinator.get("/conventions/nouvelle")
    assert page.status_code == 200
    values = form_values(text(page))
    start, end = services.ctg_period(local_today().year + 1)
    assert (values["start"], values["end"]) == (start.isoformat(), end.isoformat())
    assert values["lead_id"] == str(territory.epci_id) and values["caf_id"] == str(territory.caf_id)
    values["title"], values["reference"] = "CTG de l'agglomération 2027-2030", "CTG-27"

    page = submit(coordinator, "/conventions/nouvelle", values, "add_communes")
    values = form_values(text(page))
    assert sorted(values.getlist("party_ids")) == sorted(
        str(i) for i in (territory.epci_id, territory.caf_id, *territory.commune_ids)
    )
    assert values["title"] == "CTG de l'agglomération 2027-2030"  # kept across the round trip
    assert "2 communes cochées" in text(page)

    values = form_values(text(submit(coordinator, "/conventions/nouvelle", values, "suggest_signatories")))
    offices = rows(values, "signatories", "office_id")
    assert rows(values, "signatories", "stage") == ["1", "1", "2", "3"]
    assert sorted(offices) == sorted(str(h.office_id) for h in territory.holders)

    values["new_objective_domain"] = "jeunesse"
    values = form_values(text(submit(coordinator, "/conventions/nouvelle", values, "add_objective")))
    values["objectives-0-text"] = "Proposer une offre jeunesse harmonisée."
    response = submit(coordinator, "/conventions/nouvelle", values)
    assert response.status_code == 302
    convention_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    convention = load(app, convention_id)
    assert convention.status == ConventionStatus.DRAFT and convention.lead_id == territory.epci_id
    assert [p.organisation_id for p in convention.parties][:2] == [territory.epci_id, territory.caf_id]
    assert [(o.domain, o.text) for o in convention.objectives] == [
        (ObjectiveDomain.YOUTH, "Proposer une offre jeunesse harmonisée.")
    ]
    assert sorted(s.stage for s in convention.signatories) == [1, 1, 2, 3]
    page = text(coordinator.get(f"/conventions/{convention_id}"))
    assert f"du 1er janvier {start.year} au 31 décembre {end.year} (4 ans)" in page
    assert "Durée enregistrée : 4 ans" in text(coordinator.get(f"/conventions/{convention_id}/modifier"))


def test_objective_rows_are_added_removed_and_reordered(
    app: Flask, coordinator: FlaskClient, territory: Territory
) -> None:
    path = f"/conventions/{saved_draft(app, territory)}/modifier"
    values = form_values(text(coordinator.get(path)))
    assert rows(values, "objectives", "text") == [
        "Proposer une offre jeunesse harmonisée.",
        "Favoriser l'accès au logement.",
    ]
    values["new_objective_domain"] = "jeunesse"
    page = text(submit(coordinator, path, values, "add_objective"))
    assert '<textarea autofocus id="objectives-1-text"' in page  # the new row, ready to type in
    values = form_values(page)
    assert rows(values, "objectives", "domain") == ["jeunesse", "jeunesse", "logement"]
    values["objectives-1-text"] = "Développer un réseau jeunesse."
    values["objectives-1-rank"] = "1"  # before the first youth objective
    values["objectives-0-rank"] = "2"
    values = form_values(text(submit(coordinator, path, values, "reorder")))
    assert rows(values, "objectives", "text") == [
        "Développer un réseau jeunesse.",
        "Proposer une offre jeunesse harmonisée.",
        "Favoriser l'accès au logement.",
    ]
    assert rows(values, "objectives", "rank") == ["1", "2", "1"]
    page = text(submit(coordinator, path, values, "remove_objective:objectives-2"))
    assert "Supprimer l'objectif 2" in page and "Supprimer l'objectif 3" not in page
    assert submit(coordinator, path, form_values(page)).status_code == 302
    convention = load(app, int(path.split("/")[2]))
    assert [o.text for o in convention.objectives] == [
        "Développer un réseau jeunesse.",
        "Proposer une offre jeunesse harmonisée.",
    ]


def test_signatory_rows_change_stage_remove_and_add(app: Flask, coordinator: FlaskClient, territory: Territory) -> None:
    convention_id = saved_draft(app, territory)
    path = f"/conventions/{convention_id}/modifier"
    values = form_values(text(coordinator.get(path)))
    president = str(territory.holder("Président").office_id)
    index = rows(values, "signatories", "office_id").index(president)
    values[f"signatories-{index}-stage"] = "4"
    page = text(submit(coordinator, path, values, f"remove_signatory:signatories-{index}"))
    assert "Retirer le signataire 4" not in page
    values = form_values(text(submit(coordinator, path, form_values(page), "add_signatory")))
    assert rows(values, "signatories", "office_id")[-1] == ""
    values[f"signatories-{len(rows(values, 'signatories', 'stage')) - 1}-office_id"] = president
    values[f"signatories-{len(rows(values, 'signatories', 'stage')) - 1}-stage"] = "4"
    assert submit(coordinator, path, values).status_code == 302
    convention = load(app, convention_id)
    assert [(s.office_id, s.stage) for s in convention.signatories][-1] == (int(president), 4)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"end": "2026-12-31"}, "La fin de la convention doit suivre son début."),
        ({"signatories-0-office_id": "DROP"}, "n'a pas de signataire."),
        ({"signatories-1-office_id": "COPY0"}, "Un même signataire figure deux fois."),
        ({"signatories-0-stage": "12"}, "Les étapes sont numérotées de 1 à 9."),
        ({"title": ""}, "Titre"),
    ],
)
def test_errors_stay_on_the_form_with_everything_typed(
    app: Flask, coordinator: FlaskClient, territory: Territory, change: dict[str, str], message: str
) -> None:
    convention_id = saved_draft(app, territory)
    path = f"/conventions/{convention_id}/modifier"
    values = form_values(text(coordinator.get(path)))
    values["preamble"] = "Un préambule retouché,\navec deux lignes."
    for name, value in change.items():
        if value == "DROP":  # the first commune's mayor leaves the list
            values.setlist(name, [])
            values.setlist(name.replace("office_id", "stage"), [])
        else:
            values[name] = values["signatories-0-office_id"] if value == "COPY0" else value
    response = submit(coordinator, path, values)
    page = text(response)
    assert response.status_code == 200
    assert "error-summary" in page and message in page
    again = form_values(page)
    assert again["preamble"] == "Un préambule retouché,\navec deux lignes."
    assert again.getlist("party_ids") == values.getlist("party_ids")
    assert load(app, convention_id).preamble == "Préambule : un projet social de territoire."


# Opening, cancelling, a new version -------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The text of every page, spaces collapsed, typographic apostrophes made plain."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages).replace("’", "'")


def test_opening_freezes_the_text_into_revision_1(app: Flask, coordinator: FlaskClient, territory: Territory) -> None:
    convention_id = saved_draft(app, territory)
    confirm = text(coordinator.get(f"/conventions/{convention_id}/ouvrir"))
    assert "Son texte est alors figé" in confirm
    preview = coordinator.get(f"/conventions/{convention_id}/apercu")  # what opening will freeze
    assert preview.mimetype == "application/pdf" and "Commune 2" in pdf_text(preview.data)
    response = post_form(coordinator, f"/conventions/{convention_id}/ouvrir", {})
    assert response.status_code == 302
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None and convention.status == ConventionStatus.CIRCULATING
        revision = documents.revision(convention)
        assert revision.number == 1
        content = pdf_text(documents.content(revision))
    for expected in (
        "Commune 1",
        "Commune 2",
        "CAF d'essai",
        "Proposer une offre jeunesse harmonisée",
        "Favoriser l'accès au logement",
    ):
        assert expected in content
    page = text(coordinator.get(f"/conventions/{convention_id}"))
    assert "en circulation" in page and "préparée pour signature" in page
    download = re.search(r'<a href="([^"]+)">Télécharger le document en PDF \(révision 1\)', page)
    assert download is not None
    pdf = coordinator.get(download.group(1))
    assert pdf.mimetype == "application/pdf" and pdf.headers["X-Content-SHA256"] == revision.sha256
    framed = re.search(r'<iframe class="pdf-preview" src="([^"]+)"', page)
    assert framed is not None and coordinator.get(framed.group(1)).headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.count(">à signer</span>") == 2 and page.count(">en attente</span>") == 2  # the communes' stage is open
    assert "Modifier le brouillon" not in page
    assert coordinator.get(f"/conventions/{convention_id}/modifier").status_code == 409
    values = MultiDict({"title": "Autre titre", "action": "save"})
    assert (
        post_form(coordinator, f"/conventions/{convention_id}/modifier", values, token_from="/conventions/").status_code
        == 409
    )
    assert (
        post_form(coordinator, f"/conventions/{convention_id}/ouvrir", {}, token_from="/conventions/").status_code
        == 409
    )
    assert load(app, convention_id).title == "Convention Territoriale Globale 2027-2030"


def test_a_blocked_signatory_shows_why(app: Flask, coordinator: FlaskClient, territory: Territory) -> None:
    from datetime import timedelta

    convention_id = open_convention(app, territory)
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        convention.deadline = local_today() - timedelta(days=1)
        db.session.commit()
    page = text(coordinator.get(f"/conventions/{convention_id}"))
    assert page.count("bloqué : la date limite de signature est dépassée") == 2


def test_cancel_with_a_reason_then_a_new_version(app: Flask, coordinator: FlaskClient, territory: Territory) -> None:
    convention_id = open_convention(app, territory)
    path = f"/conventions/{convention_id}/annuler"
    assert "Motif de l'annulation" in text(coordinator.get(path))
    refused = post_form(coordinator, path, {"reason": "  "})
    assert refused.status_code == 200 and "Indiquez le motif de l'annulation." in text(refused)
    assert post_form(coordinator, path, {"reason": "Erreur dans la liste des communes."}).status_code == 302
    page = text(coordinator.get(f"/conventions/{convention_id}"))
    assert "annulée" in page and "Erreur dans la liste des communes." in page
    response = post_form(
        coordinator, f"/conventions/{convention_id}/nouvelle-version", {}, token_from=f"/conventions/{convention_id}"
    )
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalar(sa.select(Convention).where(Convention.replaces_id == convention_id))
        assert copy is not None and copy.status == ConventionStatus.DRAFT and copy.version == 2
        assert len(copy.signatories) == len(territory.holders)
        copy_id = copy.id
    assert response.headers["Location"].endswith(f"/conventions/{copy_id}/modifier")
    assert "la version 1 (annulée)" in text(coordinator.get(f"/conventions/{copy_id}"))
    old = text(coordinator.get(f"/conventions/{convention_id}"))
    assert "version 2" in old and "Créer une nouvelle version" not in old


# Who may do what --------------------------------------------------------------------------------

PAGES = {
    "list": "/conventions/",
    "new": "/conventions/nouvelle",
    "show": "/conventions/{id}",
    "edit": "/conventions/{id}/modifier",
    "open": "/conventions/{id}/ouvrir",
    "cancel": "/conventions/{id}/annuler",
    "upload": "/conventions/{id}/texte",
}
EXPECTED = {  # role -> page -> status; the convention is a draft of the coordinator's EPCI
    "anonymous": dict.fromkeys(PAGES, 302),
    # A signatory sees only opened conventions their office signs, and manages none.
    "signatory": {**dict.fromkeys(PAGES, 403), "list": 200, "show": 404},
    # Another EPCI's coordinator is not told the convention exists.
    "other_coordinator": {**dict.fromkeys(PAGES, 404), "list": 200, "new": 200},
    "coordinator": dict.fromkeys(PAGES, 200),
    "admin": dict.fromkeys(PAGES, 200),
}


def log_in_as(role: str, auth: Auth, factory: Factory, app: Flask, territory: Territory) -> None:
    if role == "anonymous":
        return
    if role == "signatory":
        auth.login(territory.holder("Commune 1").email)
    elif role == "other_coordinator":
        auth.login(build_territory(app, communes=0, prefix="236").coordinator_email)
    elif role == "coordinator":
        auth.login(territory.coordinator_email)
    else:
        auth.login(factory.user(Role.ADMIN, email="admin@example.org").email)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_page_permissions_by_role(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory, territory: Territory, role: str
) -> None:
    convention_id = saved_draft(app, territory, title="Convention de l'agglomération d'essai")
    log_in_as(role, auth, factory, app, territory)
    for page, status in EXPECTED[role].items():
        response = client.get(PAGES[page].format(id=convention_id))
        assert response.status_code == status, (role, page)
    listed = "Convention de l'agglomération d'essai" in text(client.get("/conventions/"))
    assert listed is (role in ("coordinator", "admin"))


@pytest.mark.parametrize(
    "role,status",
    [("anonymous", 302), ("signatory", 403), ("other_coordinator", 404), ("coordinator", 302), ("admin", 302)],
)
def test_open_and_cancel_permissions(
    app: Flask, client: FlaskClient, auth: Auth, factory: Factory, territory: Territory, role: str, status: int
) -> None:
    convention_id = saved_draft(app, territory)
    log_in_as(role, auth, factory, app, territory)
    opened = post_form(client, f"/conventions/{convention_id}/ouvrir", {}, token_from="/connexion")
    cancelled = post_form(client, f"/conventions/{convention_id}/annuler", {"reason": "Essai"}, token_from="/connexion")
    assert (opened.status_code, cancelled.status_code) == (status, status)
    allowed = role in ("coordinator", "admin")
    expected = ConventionStatus.CANCELLED if allowed else ConventionStatus.DRAFT
    assert load(app, convention_id).status == expected


def test_a_signatory_sees_the_opened_conventions_of_their_office(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory
) -> None:
    mine = open_convention(app, territory, title="CTG où je signe")
    other = build_territory(app, communes=0, prefix="236")
    theirs = open_convention(app, other, title="CTG d'un autre territoire")
    auth.login(territory.holder("Commune 1").email)
    listing = text(client.get("/conventions/"))
    assert "CTG où je signe" in listing and "CTG d'un autre territoire" not in listing
    assert "0 / 4" in listing
    page = text(client.get(f"/conventions/{mine}"))
    assert "à signer" in page and "Modifier le brouillon" not in page and "Annuler la convention" not in page
    assert client.get(f"/conventions/{theirs}").status_code == 404


# The CAF's own text ------------------------------------------------------------------------------


def make_pdf(pages: int = 1, password: str | None = None, padding: int = 0) -> bytes:
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_metadata({"/Subject": "x" * padding})
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(client: FlaskClient, convention_id: int, content: bytes, name: str = "texte.pdf") -> Any:
    path = f"/conventions/{convention_id}/texte"
    response = post_form(client, path, {"document": (io.BytesIO(content), name)}, content_type="multipart/form-data")
    response.request.input_stream.close()  # the test client spools a large body to a file it leaves open
    return response


@pytest.mark.parametrize(
    "content,message",
    [
        (b"Bonjour, ceci n'est pas un PDF.", "Ce fichier n'est pas un PDF."),
        (make_pdf(password="secret"), "Ce PDF est protégé par un mot de passe ou chiffré"),
        (make_pdf(padding=1_200_000), "Ce PDF dépasse la taille maximale de 1 Mo."),
    ],
)
def test_a_refused_upload_says_why_and_stores_nothing(
    app: Flask, coordinator: FlaskClient, territory: Territory, content: bytes, message: str
) -> None:
    app.config["MAX_UPLOAD_MB"] = 1
    convention_id = saved_draft(app, territory)
    response = upload(coordinator, convention_id, content)
    assert response.status_code == 422 and message in text(response)
    assert load(app, convention_id).uploaded_text_sha256 is None
    assert not list((__import__("pathlib").Path(app.instance_path) / "documents").glob("*/*.pdf"))


def test_a_request_over_the_size_limit_gets_a_french_413(
    app: Flask, coordinator: FlaskClient, territory: Territory
) -> None:
    convention_id = saved_draft(app, territory)
    token_page = text(coordinator.get(f"/conventions/{convention_id}/texte"))
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page)
    assert token is not None
    response = coordinator.post(
        f"/conventions/{convention_id}/texte",
        content_type="multipart/form-data",
        data={"csrf_token": token.group(1), "document": (io.BytesIO(b"%PDF" * 5000), "a.pdf")},
    )
    assert response.status_code == 413 and "Le fichier envoyé est trop volumineux." in text(response)
    response.request.input_stream.close()  # the test client spools a large body to a file it leaves open
    assert load(app, convention_id).uploaded_text_sha256 is None


def test_an_uploaded_text_gets_the_bordereau_and_one_field_per_signatory(
    app: Flask, coordinator: FlaskClient, territory: Territory
) -> None:
    convention_id = saved_draft(app, territory)
    response = upload(coordinator, convention_id, make_pdf(pages=30))
    assert response.status_code == 302
    assert "texte importé (PDF de la CAF)" in text(coordinator.get(f"/conventions/{convention_id}"))
    assert post_form(coordinator, f"/conventions/{convention_id}/ouvrir", {}).status_code == 302
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None and convention.uploaded_text_sha256 is not None
        prepared = documents.latest_content(convention)
    reader = PdfReader(io.BytesIO(prepared))
    assert len(reader.pages) > 30
    assert all(not (page.extract_text() or "").strip() for page in reader.pages[:30])  # the CAF's pages, untouched
    assert "Bordereau" in pdf_text(prepared)
    slots = [f for f in list_signature_fields(prepared) if f.box is not None]  # not the platform's seal
    assert len(slots) == len(territory.holders) and not any(f.signed for f in slots)
    assert {f.name for f in slots} == {s.field_name for s in load(app, convention_id).signatories}
