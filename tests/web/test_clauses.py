"""Clause models through the client: who may edit what, the draft's articles without JavaScript,
the preview equal to the opened document, model versions that never touch a convention."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from werkzeug.datastructures import MultiDict

from convsign.clauses import services as clauses
from convsign.conventions import services
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import (
    Convention,
    ConventionArticle,
    ConventionClauses,
    ConventionKind,
    ConventionModel,
    Role,
    User,
)
from tests.conftest import Auth, Factory
from tests.web.test_conventions import FormReader
from tests.world import Territory, build_territory, convention_data, open_convention, waive_all


def squeeze(value: str) -> str:
    return re.sub(r"[\s\-\u00ad]", "", value)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def clause_form(html: str) -> MultiDict[str, str]:
    reader = FormReader()
    reader.feed(html)
    return MultiDict(next(f for f in reader.forms if any(name.startswith("articles-") for name, _v in f)))


def press(client: FlaskClient, path: str, values: MultiDict[str, str], action: str = "save") -> Any:
    data = MultiDict(values)
    data.setlist("action", [action])
    return client.post(path, data=data)


def articles(values: MultiDict[str, str], name: str = "title") -> list[str]:
    pattern = re.compile(rf"^articles-(\d+)-{name}$")
    found = [(int(m.group(1)), values[k]) for k in values if (m := pattern.match(k))]
    return [v for _i, v in sorted(found)]


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


def draft(app: Flask, territory: Territory) -> int:
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert coordinator is not None
        convention = services.save_draft(convention_data(territory), coordinator)
        waive_all(convention)
        db.session.commit()
        return convention.id


@pytest.mark.parametrize(("who", "expected"), [("coordinator", 200), ("admin", 200), ("signatory", 403),
                                                ("other_coordinator", 404), ("anonymous", 302)])
def test_who_may_edit_a_drafts_clauses(app: Flask, client: FlaskClient, auth: Auth, factory: Factory,
                                       territory: Territory, who: str, expected: int) -> None:
    convention_id = draft(app, territory)
    other = build_territory(app, communes=1, prefix="226", department="59")
    email = {"coordinator": territory.coordinator_email, "signatory": territory.holders[0].email,
             "other_coordinator": other.coordinator_email}.get(who)
    if who == "admin":
        email = factory.user(Role.ADMIN).email
    if email:
        auth.login(email)
    assert client.get(f"/conventions/{convention_id}/clauses").status_code == expected


@pytest.mark.parametrize(("role", "expected"), [(Role.ADMIN, 200), (Role.COORDINATOR, 403), (Role.SIGNATORY, 403)])
def test_only_administrators_edit_the_default_model(client: FlaskClient, auth: Auth, factory: Factory,
                                                    role: Role, expected: int) -> None:
    auth.login(factory.user(role).email)
    for kind in ("ctg", "autre"):
        assert client.get(f"/admin/modeles/{kind}").status_code == expected


def test_coordinator_edits_adds_reorders_and_removes_articles_without_javascript(
        app: Flask, client: FlaskClient, auth: Auth, territory: Territory) -> None:
    convention_id = draft(app, territory)
    auth.login(territory.coordinator_email)
    path = f"/conventions/{convention_id}/clauses"
    values = clause_form(client.get(path).get_data(as_text=True))
    titles = articles(values)
    assert titles[:3] == ["Objet de la convention", "Périmètre", "Durée"] and len(titles) == 13
    values["articles-0-text"] = "Un objet **précis**, écrit pour ce territoire."
    values = clause_form(press(client, path, values, "add_article").get_data(as_text=True))
    values["articles-13-title"] = "Protection des données"
    values["articles-13-text"] = "Les parties respectent le RGPD."
    values = clause_form(press(client, path, values, "up:articles-13").get_data(as_text=True))
    assert articles(values)[12:] == ["Protection des données", "Règlement des litiges"]
    values = clause_form(press(client, path, values, "remove:articles-9").get_data(as_text=True))  # Communication
    assert "Communication" not in articles(values)
    assert press(client, path, values).status_code == 302
    with app.app_context():
        saved = db.session.scalars(sa.select(ConventionArticle).where(
            ConventionArticle.convention_id == convention_id).order_by(ConventionArticle.position)).all()
        assert [a.title for a in saved][-2:] == ["Protection des données", "Règlement des litiges"]
        assert saved[0].text == "Un objet **précis**, écrit pour ce territoire."
    preview = pdf_text(client.get(f"/conventions/{convention_id}/apercu").data)
    assert squeeze("Un objet précis, écrit pour ce territoire.") in squeeze(preview)  # emphasis, not asterisks
    assert "**" not in preview and "Communication" not in preview
    assert squeeze(preview).index(squeeze("Article 12 — Protection des données")) < \
        squeeze(preview).index(squeeze("Article 13 — Règlement des litiges"))


@pytest.mark.parametrize(("name", "message"), [("title", "Donnez un titre à l'article."),
                                               ("text", "Le texte de l'article est vide.")])
def test_empty_article_title_or_text_is_refused_on_its_field(app: Flask, client: FlaskClient, auth: Auth,
                                                             territory: Territory, name: str, message: str) -> None:
    convention_id = draft(app, territory)
    auth.login(territory.coordinator_email)
    path = f"/conventions/{convention_id}/clauses"
    values = clause_form(client.get(path).get_data(as_text=True))
    values[f"articles-2-{name}"] = "   "
    response = press(client, path, values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="articles-2-{name}-erreur">{re.escape(message.replace(chr(39), "&#39;"))}', html), html
    assert f'href="#articles-2-{name}"' in html


def test_preview_equals_the_opened_document(app: Flask, client: FlaskClient, auth: Auth,
                                            territory: Territory) -> None:
    convention_id = draft(app, territory)
    auth.login(territory.coordinator_email)
    preview = client.get(f"/conventions/{convention_id}/apercu").data
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert convention is not None and coordinator is not None
        revision = services.open_convention(convention, coordinator, clauses_now())
        db.session.commit()
        opened = documents.store().get(revision.sha256)
    preview_pages = [p.extract_text() for p in PdfReader(io.BytesIO(preview)).pages]
    opened_pages = [p.extract_text() for p in PdfReader(io.BytesIO(opened)).pages]
    assert preview_pages == opened_pages


def clauses_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_generated_text_has_every_article_in_order_the_commune_count_and_the_holders(
        app: Flask, client: FlaskClient, auth: Auth, territory: Territory) -> None:
    convention_id = open_convention(app, territory)
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        titles = [a.title for a in clauses.articles_of(convention)]
        text = squeeze(pdf_text(documents.store().get(documents.revisions(convention)[-1].sha256)))
    positions = [text.index(squeeze(f"— {title}")) for title in titles]
    assert positions == sorted(positions) and len(titles) == 13
    assert squeeze("et ses 2 communes membres") in text  # the EPCI and the CAF are not communes
    assert squeeze("ses 2 communes membres, dont la liste") in text
    for holder in territory.holders:
        with app.app_context():
            name = db.session.get(User, holder.user_id).name  # type: ignore[union-attr]
        assert squeeze(name) in text, name
    assert "àdésigner" not in text
    assert squeeze("Fait au siège de l’intercommunalité (Communauté d'agglomération d'essai)") in text


def test_a_model_edit_never_changes_an_opened_convention_or_an_existing_draft(
        app: Flask, client: FlaskClient, auth: Auth, factory: Factory, territory: Territory) -> None:
    opened_id = open_convention(app, territory)
    draft_id = draft(app, territory)
    with app.app_context():
        opened = db.session.get(Convention, opened_id)
        assert opened is not None
        sha_before = opened.latest_sha256
    auth.login(factory.user(Role.ADMIN).email)
    values = clause_form(client.get("/admin/modeles/ctg").get_data(as_text=True))
    values["articles-0-title"] = "Objet (version revue)"
    response = press(client, "/admin/modeles/ctg", values)
    assert response.status_code == 302
    with app.app_context():
        versions = clauses.model_versions(ConventionKind.CTG)
        assert [v.version for v in versions] == [2, 1]
        assert versions[0].articles[0].title == "Objet (version revue)"
        opened = db.session.get(Convention, opened_id)
        kept = db.session.get(Convention, draft_id)
        assert opened is not None and kept is not None
        assert opened.latest_sha256 == sha_before and opened.revision_count == 1
        assert clauses.articles_of(kept)[0].title == "Objet de la convention"
        assert clauses.clauses_of(kept).model.version == 1  # type: ignore[union-attr]
    fresh = draft(app, territory)
    with app.app_context():
        convention = db.session.get(Convention, fresh)
        assert convention is not None
        assert clauses.articles_of(convention)[0].title == "Objet (version revue)"


def test_a_draft_made_before_clause_models_gets_the_default_model_when_edited(
        app: Flask, client: FlaskClient, auth: Auth, territory: Territory) -> None:
    convention_id = draft(app, territory)
    with app.app_context():
        db.session.execute(sa.delete(ConventionArticle))
        db.session.execute(sa.delete(ConventionClauses))
        db.session.commit()
    auth.login(territory.coordinator_email)
    assert client.get(f"/conventions/{convention_id}/clauses").status_code == 200
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        model = db.session.scalar(sa.select(ConventionModel).where(ConventionModel.kind == ConventionKind.CTG))
        assert model is not None
        assert [a.title for a in clauses.articles_of(convention)] == [a.title for a in model.articles]


def test_an_opened_conventions_clauses_cannot_be_edited(app: Flask, client: FlaskClient, auth: Auth,
                                                        territory: Territory) -> None:
    convention_id = open_convention(app, territory)
    auth.login(territory.coordinator_email)
    assert client.get(f"/conventions/{convention_id}/clauses").status_code == 409


def test_hostile_clause_text_is_printed_as_typed(app: Flask, client: FlaskClient, auth: Auth,
                                                 territory: Territory) -> None:
    convention_id = draft(app, territory)
    auth.login(territory.coordinator_email)
    path = f"/conventions/{convention_id}/clauses"
    values = clause_form(client.get(path).get_data(as_text=True))
    hostile = '#set page(width: 1pt) ] [ $x$ <b>gras</b> {inconnu} \\ #pagebreak() *seul'
    values["articles-0-title"] = "#text(red)[Objet]"
    values["articles-0-text"] = hostile
    assert press(client, path, values).status_code == 302
    preview = squeeze(pdf_text(client.get(f"/conventions/{convention_id}/apercu").data))
    assert squeeze("#text(red)[Objet]") in preview
    assert squeeze(hostile) in preview


@pytest.mark.parametrize(("articles_", "field", "message"), [
    (tuple(clauses.ArticleData(f"Article {i}", "Texte.") for i in range(201)), "articles", "Au plus 200 articles."),
    ((clauses.ArticleData("Long", "x" * 100_001),), "articles-0-text", "Au plus 100\u202f000 caractères par article."),
])
def test_past_the_stated_limits_a_model_is_refused(app: Flask, territory: Territory,
                                                   articles_: tuple[clauses.ArticleData, ...], field: str,
                                                   message: str) -> None:
    convention_id = draft(app, territory)
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert convention is not None and coordinator is not None
        with pytest.raises(clauses.ValidationFailed) as refused:
            clauses.save_clauses(convention, clauses.ClauseData("", "", "", articles_, ()), coordinator)
        assert (refused.value.field, refused.value.message) == (field, message)
        with pytest.raises(clauses.ValidationFailed):
            clauses.save_default_model(ConventionKind.CTG, clauses.ModelData("Titre", "", "", "", articles_),
                                       coordinator)


def test_a_draft_made_before_clause_models_opens_with_the_default_model(app: Flask, territory: Territory) -> None:
    convention_id = draft(app, territory)
    with app.app_context():
        db.session.execute(sa.delete(ConventionArticle))
        db.session.execute(sa.delete(ConventionClauses))
        db.session.commit()
        convention = db.session.get(Convention, convention_id)
        coordinator = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert convention is not None and coordinator is not None
        revision = services.open_convention(convention, coordinator, clauses_now())
        db.session.commit()
        assert clauses.clauses_of(convention) is not None and len(clauses.articles_of(convention)) == 13
        text = squeeze(pdf_text(documents.store().get(revision.sha256)))
        assert squeeze("Article 13 — Règlement des litiges") in text


def test_action_plan_diagnostic_and_place_reach_the_annexes(app: Flask, client: FlaskClient, auth: Auth,
                                                            territory: Territory) -> None:
    convention_id = draft(app, territory)
    auth.login(territory.coordinator_email)
    path = f"/conventions/{convention_id}/clauses"
    values = clause_form(client.get(path).get_data(as_text=True))
    values = clause_form(press(client, path, values, "add_action").get_data(as_text=True))
    values["actions-0-objective"], values["actions-0-action"] = "Jeunesse : un réseau", "Créer un réseau d'animateurs"
    values["actions-0-lead"], values["actions-0-calendar"] = "Communes", "2027-2028"
    values["diagnostic"], values["place"] = "Un territoire de *deux* communes.", "Ville-Siège"
    assert press(client, path, values).status_code == 302
    text = squeeze(pdf_text(client.get(f"/conventions/{convention_id}/apercu").data))
    for expected in ("Annexe 2 — Plan d’action", "Créer un réseau d'animateurs", "2027-2028",
                     "Annexe 3 — Synthèse du diagnostic partagé", "Un territoire de deux communes.",
                     "Annexe 4 — Bordereau de signature", "Fait à Ville-Siège"):
        assert squeeze(expected) in text, expected
    values = clause_form(client.get(path).get_data(as_text=True))
    values = clause_form(press(client, path, values, "remove:actions-0").get_data(as_text=True))
    assert press(client, path, values, "reset").status_code == 302
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        assert len(clauses.actions_of(convention)) == 1  # « reprendre le modèle » keeps the action plan
        assert clauses.articles_of(convention)[0].title == "Objet de la convention"


def test_removing_every_article_is_refused_in_french(app: Flask, client: FlaskClient, auth: Auth,
                                                     territory: Territory) -> None:
    convention_id = draft(app, territory)
    auth.login(territory.coordinator_email)
    path = f"/conventions/{convention_id}/clauses"
    values = clause_form(client.get(path).get_data(as_text=True))
    for key in [k for k in values if k.startswith("articles-")]:
        del values[key]
    response = press(client, path, values)
    assert response.status_code == 422
    assert "Gardez au moins un article." in response.get_data(as_text=True)
