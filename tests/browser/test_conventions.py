"""A coordinator prepares a CTG in a real browser, is told of a wrong date, fixes it and opens it."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.test_foundation import log_in
from tests.world import build_territory


def test_a_coordinator_prepares_and_opens_a_convention(page: Page, live_server: str, app: Flask) -> None:
    territory = build_territory(app, communes=2)
    log_in(page, live_server, territory.coordinator_email)
    page.get_by_role("link", name="Conventions", exact=True).click()
    page.get_by_role("link", name="Nouvelle convention").click()

    page.get_by_label("Titre", exact=True).fill("Convention Territoriale Globale 2027-2030")
    page.get_by_label("Référence", exact=True).fill("CTG-2027")
    page.get_by_role("button", name="Cocher toutes les communes de cet EPCI").click()
    expect(page.get_by_label("Commune 2")).to_be_checked()
    expect(page.get_by_label("Titre", exact=True)).to_have_value("Convention Territoriale Globale 2027-2030")
    page.get_by_role("button", name="Proposer les signataires").click()
    expect(page.get_by_role("table", name=re.compile("4 signataires"))).to_be_visible()

    start = page.get_by_label("Début", exact=True).input_value()
    page.get_by_label("Fin", exact=True).fill(f"{int(start[:4]) - 1}-12-31")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("La fin de la convention doit suivre son début.")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Fin", exact=True)).to_be_focused()

    page.get_by_label("Fin", exact=True).fill(f"{int(start[:4]) + 3}-12-31")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convention Territoriale Globale 2027-2030")
    expect(page.get_by_text("(4 ans)")).to_be_visible()

    page.get_by_role("link", name="Ouvrir à la signature").click()
    expect(page.get_by_text("Son texte est alors figé", exact=False)).to_be_visible()
    page.get_by_role("button", name="Ouvrir à la signature").click()
    expect(page.get_by_text("La convention est ouverte à la signature")).to_be_visible()
    first_stage = page.get_by_role("table", name=re.compile("Étape 1"))
    # No council has deliberated yet: the communes' slots are open but blocked, and say why.
    expect(first_stage.get_by_text("délibération manquante")).to_have_count(2)
    expect(page.get_by_role("table", name=re.compile("Étape 2")).get_by_text("en attente")).to_have_count(1)
