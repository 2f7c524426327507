"""Issue 15, the coordinator in real Chromium: reminders (one sent, the second refused within the
period, audited), the home page, and the main pages at phone width without horizontal scrolling."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Locator, expect

from convsign.extensions import db
from convsign.models import AuditEntry, OutboxMessage
from tests.browser.conftest import off_the_browser_loop
from tests.browser.test_followup import assert_accessible, log_in_as, person
from tests.browser.test_signing_page import PHONE, no_horizontal_overflow
from tests.world import build_territory, open_convention

TITLE = "Convention Territoriale Globale 2027-2030"


def reminders(app: Flask) -> tuple[int, int]:
    """(reminder e-mails queued, reminder audit entries)."""
    with app.app_context():
        mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.dedup_key.like("relance:%")))
        audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == "signatory_reminded"))
        return mails or 0, audited or 0


def click_until(button: Locator, outcome: Locator) -> None:
    """Click until the outcome shows: headless Chromium sometimes drops a click right after a navigation
    (a dropped click sends nothing, so a second one is no repeat)."""
    for _attempt in range(3):
        button.click()
        try:
            expect(outcome).to_be_visible(timeout=5000)
            return
        except AssertionError:
            continue
    expect(outcome).to_be_visible()


def test_remind_one_then_refused_within_the_period_then_all(browser: Browser, live_server: str, app: Flask) -> None:
    territory = build_territory(app, communes=2)
    convention_id = off_the_browser_loop(open_convention, app, territory, TITLE)
    with person(browser) as coordinator:
        log_in_as(coordinator, live_server, territory.coordinator_email)
        coordinator.goto(f"{live_server}/tableau-de-bord")
        remind = coordinator.get_by_role("button", name="Relancer Maire de Commune 1")
        remind.click()
        expect(coordinator.get_by_text("Relance envoyée à « Maire de Commune 1 ».")).to_be_visible()
        assert reminders(app) == (1, 1)
        row = coordinator.get_by_role("row", name=re.compile("Maire de Commune 1"))
        expect(row).to_contain_text("relancé le")
        assert_accessible(coordinator, "dashboard (reminders)")

        coordinator.get_by_role("button", name="Relancer Maire de Commune 1").click()
        expect(coordinator.get_by_text(re.compile("Déjà relancé le .* une relance au plus tous les 7 jours"))) \
            .to_be_visible()
        assert reminders(app) == (1, 1)  # refused: nothing queued, nothing audited

        # On the convention page: everyone waiting, except the one reminded today.
        coordinator.goto(f"{live_server}/conventions/{convention_id}")
        expect(coordinator.locator(".remind-all")).to_contain_text("Dernière relance le")
        remind_all = coordinator.get_by_role("button", name="Relancer tous les signataires en attente")
        click_until(remind_all, coordinator.get_by_text("1 signataire relancé."))
        assert reminders(app) == (2, 2)
        click_until(remind_all, coordinator.get_by_text(re.compile("Aucun signataire à relancer")))
        assert reminders(app) == (2, 2)
        assert_accessible(coordinator, "convention page (reminders)")

        for path in ("/", "/tableau-de-bord", f"/conventions/{convention_id}"):
            coordinator.set_viewport_size(PHONE)
            coordinator.goto(live_server + path)
            no_horizontal_overflow(coordinator)


def test_the_coordinators_home_and_the_blocked_mayors_link(browser: Browser, live_server: str, app: Flask) -> None:
    """Deliberations kept required: every mayor is blocked until their council's is recorded."""
    territory = build_territory(app, communes=2)
    off_the_browser_loop(open_convention, app, territory, TITLE, waive_deliberations=False)
    with person(browser) as coordinator:
        log_in_as(coordinator, live_server, territory.coordinator_email)
        expect(coordinator.get_by_role("heading", name="Ce qui vous attend")).to_be_visible()
        expect(coordinator.get_by_role("link", name="Créer une convention")).to_be_visible()
        card = coordinator.locator(".progress-list li", has_text=TITLE)
        expect(card).to_contain_text("0 signatures sur 4")
        blocked = coordinator.locator("ul[aria-labelledby=bloques] > li")
        expect(blocked).to_have_count(2)
        expect(blocked.first).to_contain_text("délibération manquante")
        assert_accessible(coordinator, "coordinator's home")
        coordinator.get_by_role("link", name="Enregistrer la délibération — Commune 1").click()
        expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Commune 1")
        coordinator.set_viewport_size(PHONE)
        coordinator.goto(live_server + "/")
        no_horizontal_overflow(coordinator)

    with person(browser) as mayor:
        log_in_as(mayor, live_server, territory.holder("Commune 1").email)
        home_link = mayor.get_by_role("link", name="Enregistrer la délibération — Commune 1")
        expect(home_link).to_be_visible()
        mayor.get_by_role("link", name=TITLE).click()
        expect(mayor.locator("#signer")).to_contain_text("délibération manquante")
        mayor.locator("#signer").get_by_role("link", name="Enregistrer la délibération").click()
        expect(mayor.get_by_role("heading", level=1)).to_contain_text("Commune 1")
        assert "/deliberations/partie/" in mayor.url
