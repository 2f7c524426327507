"""The first steps of a person, in a real browser: the French login page, a coordinator's communes."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from playwright.sync_api import Page, expect

from convsign.models import Role
from tests.browser.conftest import off_the_browser_loop
from tests.conftest import TEST_PASSWORD, Factory


def log_in(page: Page, base: str, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto(base + "/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_wrong_password_then_right_one(page: Page, live_server: str, factory: Factory) -> None:
    factory.user(Role.SIGNATORY, email="maire@example.org", name="Camille Lefebvre")
    log_in(page, live_server, "maire@example.org", "pas le bon mot de passe")
    expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.").first).to_be_visible()
    expect(page.get_by_label("Adresse électronique")).to_have_value("maire@example.org")
    log_in(page, live_server, "maire@example.org")
    expect(page.get_by_role("heading", name="Bonjour Camille Lefebvre")).to_be_visible()


def test_demo_coordinator_sees_the_36_communes(page: Page, live_server: str, runner: FlaskCliRunner) -> None:
    result = off_the_browser_loop(runner.invoke, args=["demo"])
    assert result.exit_code == 0, result.output
    line = next(row for row in result.stdout.splitlines() if "coordination@" in row)
    email, password = line.split()[-2:]
    page.goto(live_server + "/")
    expect(page).to_have_title("Connexion — convsign")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    log_in(page, live_server, email, password)
    page.get_by_role("link", name="Organisations").first.click()
    expect(page.get_by_role("caption")).to_have_text("38 organisations")
    communes = page.locator("tbody tr").filter(has_text="Commune")
    expect(communes).to_have_count(36)
    expect(page.get_by_role("row", name="Loison-sous-Lens")).to_contain_text("216 205 237")
