"""Issue 15: the language chosen on the login page survives the login and is kept on the account;
English dates read "2 December 2026" (with "at" and the time), never "2 Dec 2026"."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from convsign.extensions import db
from convsign.i18n import long_date, long_datetime
from convsign.models import Role, User
from tests.conftest import TEST_PASSWORD, Factory


def test_the_language_chosen_at_login_is_kept_and_saved(
    page: Page, live_server: str, app: Flask, factory: Factory
) -> None:
    factory.user(Role.SIGNATORY, email="mayor@example.org", name="Camille Lefebvre")
    page.goto(live_server + "/connexion")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Français")).to_be_visible()
    page.get_by_label("Email address").fill("mayor@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_visible()  # still English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "mayor@example.org"))
        assert user is not None and user.preferred_language == "en"
    # Logged out and in again from a fresh browser: the account's language applies.
    page.context.clear_cookies()
    page.goto(live_server + "/connexion")
    page.get_by_label("Adresse électronique").fill("mayor@example.org")
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_visible()


def test_english_dates_are_written_in_full(app: Flask) -> None:
    moment = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)
    with app.test_request_context():
        assert long_date(moment, "en") == "2 December 2026"
        assert long_datetime(moment, "en") == "2 December 2026 at 10:05"  # Paris time
        assert long_datetime(moment, "fr") == "2 décembre 2026 à 10:05"
