"""Issue 15, the signing page in real Chromium: the document by PDF.js at the signatory's box, the
panel in view, a first signature in one step, focus on the error, the busy button, and the page
without JavaScript."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import off_the_browser_loop
from tests.browser.test_followup import assert_accessible, log_in_as, open_signing_page, person
from tests.world import PASSPHRASE, build_territory, open_convention

TITLE = "Convention Territoriale Globale 2027-2030"
PHONE = {"width": 390, "height": 844}


def no_horizontal_overflow(page: Page) -> None:
    """Nothing wider than the window: the page never scrolls sideways."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    culprits = page.evaluate("""(limit) => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > limit + 1
                && e.parentElement.getBoundingClientRect().right <= limit + 1)
        .filter(e => !e.closest('table, .pdf-viewer')).slice(0, 5)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                             widths[1])
    tables = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => [t.className,
        getComputedStyle(t).display, getComputedStyle(t).overflowX, Math.round(t.getBoundingClientRect().right),
        t.scrollWidth])""")
    assert widths[0] <= widths[1], f"{page.url}: {widths[0]} px wide in a {widths[1]} px window: {culprits} {tables}"


def test_first_signature_in_one_step_with_focus_on_the_panel(browser: Browser, live_server: str, app: Flask) -> None:
    territory = build_territory(app, communes=1)
    off_the_browser_loop(open_convention, app, territory, TITLE)
    mayor_email = territory.holder("Commune 1").email
    with person(browser) as mayor:
        mayor.set_viewport_size({"width": 1280, "height": 800})
        log_in_as(mayor, live_server, mayor_email)
        open_signing_page(mayor)
        viewer = mayor.locator(".pdf-viewer")
        expect(viewer).to_have_attribute("data-ready", "true", timeout=20000)  # PDF.js rendered it
        box = viewer.locator(".pdf-box")
        expect(box).to_be_in_viewport()  # opened at the signature box, outlined
        expect(mayor.locator(".field-preview")).to_be_hidden()  # the PNG fallback gives way
        panel = mayor.locator("#signer")
        expect(panel.get_by_role("button", name="Signer la convention")).to_be_in_viewport()
        assert_accessible(mayor, "signing (first signature, PDF.js)")

        ids = mayor.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

        # A submit without the box ticked: back on the panel, focus on the box, the error beside it.
        panel.get_by_label("Choisissez votre phrase secrète de signature").fill(PASSPHRASE)
        panel.get_by_label("Confirmez la phrase secrète").fill(PASSPHRASE)
        panel.get_by_role("button", name="Signer la convention").click()
        expect(mayor.get_by_text("Cochez cette case pour confirmer votre approbation.").last).to_be_in_viewport()
        assert mayor.evaluate("() => document.activeElement.id") == "approve"

        # The first signature, in one submit: passphrase typed twice, box ticked.
        panel.get_by_role("checkbox", name="J'ai lu la convention et j'approuve son contenu.").check()
        panel.get_by_label("Choisissez votre phrase secrète de signature").fill(PASSPHRASE)
        panel.get_by_label("Confirmez la phrase secrète").fill(PASSPHRASE)
        mayor.evaluate("""() => {
            const form = document.querySelector('form.sign-form');
            form.addEventListener('submit', (event) => {
                const button = form.querySelector('button[type=submit]');
                sessionStorage.setItem('busy', JSON.stringify([button.textContent, button.disabled]));
                const again = new Event('submit', {cancelable: true});
                form.dispatchEvent(again);  // a second click while busy: refused by the page
                sessionStorage.setItem('second', String(again.defaultPrevented));
            }, {once: true});
        }""")
        panel.get_by_role("button", name="Signer la convention").click()
        expect(mayor.get_by_text("Votre signature est apposée : c'est la révision 2 du document.")).to_be_visible()
        assert mayor.url.endswith("#signer")
        expect(mayor.locator("#signer .status")).to_have_text("signé")
        assert mayor.evaluate("() => sessionStorage.getItem('busy')") == '["Signature en cours…",true]'
        assert mayor.evaluate("() => sessionStorage.getItem('second')") == "true"

        mayor.set_viewport_size(PHONE)
        mayor.reload()
        expect(mayor.locator(".pdf-viewer")).to_have_attribute("data-ready", "true", timeout=20000)
        no_horizontal_overflow(mayor)
        panel_top = mayor.locator("#signer").bounding_box()
        document_top = mayor.locator(".signing-document").bounding_box()
        assert panel_top and document_top and panel_top["y"] < document_top["y"]  # the panel first on a phone


def test_without_javascript_the_preview_and_the_error_focus_remain(
    browser: Browser, live_server: str, app: Flask
) -> None:
    territory = build_territory(app, communes=1)
    off_the_browser_loop(open_convention, app, territory, TITLE)
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    try:
        mayor = context.new_page()
        log_in_as(mayor, live_server, territory.holder("Commune 1").email)
        open_signing_page(mayor)
        expect(mayor.locator(".pdf-viewer")).to_be_hidden()
        expect(mayor.get_by_role("img", name=re.compile("la case .* est encadrée"))).to_be_visible()
        expect(mayor.get_by_role("link", name="Télécharger le PDF")).to_be_visible()
        panel = mayor.locator("#signer")
        panel.get_by_role("checkbox", name="J'ai lu la convention et j'approuve son contenu.").check()
        panel.get_by_label("Choisissez votre phrase secrète de signature").fill(PASSPHRASE)
        panel.get_by_label("Confirmez la phrase secrète").fill(PASSPHRASE + " mais autre")
        panel.get_by_role("button", name="Signer la convention").click()
        expect(panel.get_by_role("alert")).to_contain_text("Les deux saisies diffèrent.")
        expect(mayor.get_by_text("Les deux saisies diffèrent.").last).to_be_in_viewport()
        assert mayor.evaluate("() => document.activeElement.id") == "confirm"  # autofocus, no script needed
    finally:
        context.close()
