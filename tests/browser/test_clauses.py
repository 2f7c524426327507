"""A coordinator adapts a draft's articles in a real browser, then reads them in the preview."""

from __future__ import annotations

import io
import re

from flask import Flask
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.test_foundation import log_in
from tests.web.test_clauses import draft
from tests.world import build_territory


def test_a_coordinator_edits_an_article_and_previews_it(page: Page, live_server: str, app: Flask) -> None:
    territory = build_territory(app, communes=2)
    convention_id = draft(app, territory)
    log_in(page, live_server, territory.coordinator_email)
    page.goto(f"{live_server}/conventions/{convention_id}")
    page.get_by_role("link", name="Modifier les articles").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clauses du brouillon")

    page.get_by_label("Texte de l'article 1", exact=True).fill("Objet adapté : un *projet social* partagé.")
    page.get_by_role("button", name="Ajouter un article").click()
    expect(page.get_by_label("Titre de l'article 14", exact=True)).to_be_focused()
    page.get_by_label("Titre de l'article 14", exact=True).fill("Protection des données")
    page.get_by_label("Texte de l'article 14", exact=True).fill("Les parties respectent le règlement général.")
    page.get_by_role("button", name="Monter l'article 14").click()
    expect(page.get_by_label("Titre de l'article 13", exact=True)).to_have_value("Protection des données")
    expect(page.get_by_label("Texte de l'article 1", exact=True)).to_have_value(
        "Objet adapté : un *projet social* partagé.")  # nothing typed is lost by a row button

    page.get_by_label("Titre de l'article 2", exact=True).fill("")
    page.get_by_role("button", name="Enregistrer les clauses").first.click()
    expect(page.get_by_role("alert")).to_contain_text("Donnez un titre à l'article.")
    page.get_by_role("alert").get_by_role("link").first.click()
    expect(page.get_by_label("Titre de l'article 2", exact=True)).to_be_focused()
    page.get_by_label("Titre de l'article 2", exact=True).fill("Périmètre")
    page.get_by_role("button", name="Enregistrer les clauses").first.click()
    expect(page.get_by_text("Clauses enregistrées.")).to_be_visible()

    href = page.get_by_role("link", name="Aperçu du document enregistré (PDF)").get_attribute("href")
    preview = page.request.get(f"{live_server}{href}")
    assert preview.ok and preview.headers["content-type"] == "application/pdf"
    text = re.sub(r"\s+", "", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.body())).pages))
    assert re.sub(r"\s+", "", "Objet adapté : un projet social partagé.") in text
    assert text.index("Article13—Protectiondesdonnées") < text.index("Article14—Règlementdeslitiges")
