"""Issue 6 end to end in real Chromium, with axe-core on the pages people use most.

The coordinator opens a convention, one mayor signs with a passphrase, another refuses with a
reason; the coordinator sees the refusal on the dashboard, downloads the signed PDF and the
evidence file, and checks the PDF on the verification page. axe-core (vendored in
tests/browser/axe/) runs on the login, dashboard, signing and verification pages: no violation of
impact "serious" or "critical" is allowed; lesser ones are printed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import off_the_browser_loop
from tests.browser.test_foundation import log_in
from tests.world import PASSPHRASE, build_territory, open_convention

AXE = Path(__file__).parent / "axe" / "axe.min.js"
BLOCKING = {"serious", "critical"}
TITLE = "Convention Territoriale Globale 2027-2030"
REASON = "Le conseil municipal demande une révision de l'objectif jeunesse."


@contextmanager
def person(browser: Browser) -> Iterator[Page]:
    """A browser of one's own (own cookies), French-speaking, in which axe can be injected.

    The app's Content-Security-Policy forbids inline scripts, and Playwright's add_script_tag
    inserts an inline <script>: bypass_csp lets it run. This only loosens the test's own context;
    the app still sends its CSP (tests/browser/test_foundation.py and the web tests check it).
    """
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_accessible(page: Page, where: str) -> None:
    """Run axe-core on the page as it stands; fail on serious/critical violations, print the rest."""
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = results["violations"]
    print(f"axe {results['testEngine']['version']} [{where}] {page.url}: {len(violations)} violation(s)")
    for violation in violations:
        print(
            f"axe [{where}] {violation['impact']}: {violation['id']} – {violation['help']} "
            f"({len(violation['nodes'])} élément(s))"
        )
    blocking = [_describe(v) for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on the {where} page:\n" + "\n".join(blocking)


def _describe(violation: dict[str, Any]) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"{violation['impact']} {violation['id']}: {violation['help']} → {targets}"


def log_in_as(page: Page, base: str, email: str) -> None:
    """Log in through the real login form and land on one's home page."""
    log_in(page, base, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def open_signing_page(page: Page) -> None:
    """From a signatory's home page, follow the one "Lire et signer" link."""
    page.get_by_role("link", name=re.compile("Lire et signer")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signature de la convention")


def sign_form(page: Page) -> Locator:
    return page.locator("form").filter(has=page.get_by_role("button", name="Signer la convention"))


def create_key_and_sign(page: Page) -> None:
    """A first signature, in one step: choose the signing passphrase (typed twice) and sign."""
    assert_accessible(page, "signing (first signature)")
    form = sign_form(page)
    form.get_by_role("checkbox", name="J'ai lu la convention et j'approuve son contenu.").check()
    form.get_by_label("Choisissez votre phrase secrète de signature").fill(PASSPHRASE)
    form.get_by_label("Confirmez la phrase secrète").fill(PASSPHRASE)
    form.get_by_role("button", name="Signer la convention").click()
    expect(page.get_by_text("Votre signature est apposée : c'est la révision 2 du document.")).to_be_visible()


def refuse(page: Page) -> None:
    """Open the "Refuser de signer" block of the signing page and refuse with a reason."""
    summary = page.locator("summary", has_text="Refuser de signer")
    block = page.locator("details", has=summary)
    for _attempt in range(3):  # headless Chromium sometimes drops a click right after a navigation
        if block.get_attribute("open") is not None:
            break
        summary.click()
    expect(block).to_have_attribute("open", "")
    block.get_by_label("Motif du refus").fill(REASON)
    block.get_by_role("button", name="Refuser de signer").click()
    expect(page.get_by_text("Votre refus est enregistré")).to_be_visible()


def download(page: Page, link: Locator) -> bytes:
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    return Path(path).read_bytes()


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_sign_refuse_follow_up_and_download_with_axe(
    browser: Browser, live_server: str, app: Flask, tmp_path: Path
) -> None:
    territory = build_territory(app, communes=2)
    # Opening certifies the document with pyHanko, which cannot run inside Playwright's loop.
    off_the_browser_loop(open_convention, app, territory, TITLE)
    signer, refuser = territory.holder("Commune 1"), territory.holder("Commune 2")

    with person(browser) as coordinator:
        coordinator.goto(live_server + "/connexion")
        assert_accessible(coordinator, "login")
        log_in_as(coordinator, live_server, territory.coordinator_email)
        coordinator.get_by_role("link", name="Conventions", exact=True).click()
        coordinator.get_by_role("link", name=TITLE).click()
        expect(coordinator.get_by_role("heading", level=1)).to_have_text(TITLE)

        with person(browser) as mayor:
            log_in_as(mayor, live_server, signer.email)
            open_signing_page(mayor)
            assert_accessible(mayor, "signing (key creation)")
            create_key_and_sign(mayor)

        with person(browser) as mayor:
            log_in_as(mayor, live_server, refuser.email)
            open_signing_page(mayor)
            refuse(mayor)

        coordinator.get_by_role("link", name="Tableau de bord").click()
        refused_row = coordinator.get_by_role("row", name=re.compile(refuser.title))
        expect(refused_row).to_contain_text("refus")
        expect(refused_row).to_contain_text(REASON)
        expect(coordinator.get_by_role("row", name=re.compile(signer.title))).to_contain_text("signé")
        assert_accessible(coordinator, "dashboard")

        coordinator.get_by_role("link", name=TITLE).first.click()
        pdf = download(coordinator, coordinator.get_by_role("link", name=re.compile("Télécharger le document en PDF")))
        evidence = download(coordinator, coordinator.get_by_role("link", name="Télécharger le dossier de preuve"))
        assert pdf.startswith(b"%PDF") and evidence.startswith(b"%PDF")
        words = " ".join(pdf_text(evidence).split())  # the PDF's line breaks fall anywhere
        assert refuser.title in words and "refus" in words, words[:3000]
        assert " ".join(REASON.split()) in words, words[:3000]

        signed = tmp_path / "convention-signee.pdf"
        signed.write_bytes(pdf)
        # After a download started from a link, headless Chromium swallows the page's next link
        # click (measured: the click lands, no request is made); going by address is reliable.
        coordinator.goto(live_server + "/verifier")
        coordinator.get_by_label("Fichier PDF à vérifier").set_input_files(signed)
        coordinator.get_by_role("button", name="Vérifier", exact=True).click()
        expect(coordinator.get_by_role("heading", name=re.compile("Résultat pour"))).to_be_visible()
        expect(coordinator.get_by_role("heading", level=3)).to_have_count(2)  # certification, one approval
        expect(coordinator.get_by_text("Document valide : chaque signature est intacte")).to_be_visible()
        expect(coordinator.get_by_text(f"Révision 2 de la convention « {TITLE} », à jour.")).to_be_visible()
        assert_accessible(coordinator, "verification (report)")


def test_the_axe_check_fails_on_a_serious_violation(browser: Browser, live_server: str) -> None:
    """The check above can fail: an unlabelled field and an image without text are reported."""
    with person(browser) as visitor:
        visitor.goto(live_server + "/connexion")
        visitor.evaluate("""() => {
            const main = document.querySelector('main');
            main.append(document.createElement('input'), document.createElement('img'));
        }""")
        with pytest.raises(AssertionError) as failure:
            assert_accessible(visitor, "login, spoilt")
        assert "critical label" in str(failure.value) and "critical image-alt" in str(failure.value)
