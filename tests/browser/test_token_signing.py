"""A mayor signs in Chromium with the card of a SoftHSM2 token through the agent on loopback: the page
finds the agent, lists the certificate, prepares on the server, the agent (confirmed on its terminal)
signs, the page finishes and shows the slot signed. Without an agent, the page explains how to install it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from convsign.admin import trust_roots
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, SlotState
from tests.browser.conftest import off_the_browser_loop
from tests.browser.test_foundation import log_in
from tests.tokens import AGENT, SOFTHSM_MODULE, Hsm, mayor_email
from tests.world import build_territory, open_convention


def open_card_section(page: Page) -> None:
    """Unfold "Signer avec ma carte ou ma clé USB" (clicking again if Chromium dropped the click)."""
    block = page.locator("#carte")
    for _attempt in range(5):  # headless Chromium sometimes drops a click while the PDF preview loads
        if block.get_attribute("open") is not None:
            break
        page.locator("#carte > summary").click()
        page.wait_for_timeout(200)
    expect(block).to_have_attribute("open", "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def agent(app: Flask, hsm: Hsm, live_server: str, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """`convsign-agent serve` for the live server, paired (answered "o" on its terminal)."""
    port = free_port()
    app.config["AGENT_PORT"] = port
    env = {**os.environ, "PYTHONPATH": str(AGENT), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    process = subprocess.Popen(
        [sys.executable, "-m", "convsign_agent", "serve", "--server", live_server, "--module", SOFTHSM_MODULE,
         "--token-label", "maire1-ec", "--port", str(port)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("o\n")  # pair with this server
    process.stdin.flush()
    line = process.stdout.readline()
    while line and "prêt" not in line:
        line = process.stdout.readline()
    assert "prêt" in line, process.stderr.read() if process.stderr else ""
    yield process
    process.terminate()
    process.wait(timeout=10)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def test_a_mayor_signs_with_the_card_in_the_browser(page: Page, app: Flask, hsm: Hsm, live_server: str,
                                                    agent: subprocess.Popen[str]) -> None:
    territory = build_territory(app, communes=2)
    with app.app_context():
        trust_roots.add_root(hsm.ca.pem, None, datetime.now(UTC))
        db.session.commit()
    convention_id = off_the_browser_loop(open_convention, app, territory)
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        slot = next(s for s in convention.signatories if s.office.holder_on(datetime.now(UTC).date()).user.email
                    == mayor_email(1))  # type: ignore[union-attr]
        slot_id = slot.id
    log_in(page, live_server, mayor_email(1))
    page.goto(f"{live_server}/signer/{slot_id}")
    open_card_section(page)
    expect(page.locator("#carte-presente")).to_be_visible(timeout=30_000)  # the agent read the card
    expect(page.get_by_label("Certificat", exact=True)).to_contain_text("maire1-ec")
    page.get_by_label("Code PIN de la carte").fill("123456")
    page.locator("#carte-approuve").check()
    assert agent.stdin is not None
    agent.stdin.write("o\n")  # the person confirms the signature on the agent's terminal
    agent.stdin.flush()
    page.get_by_role("button", name="Signer avec ma carte ou ma clé USB").click()
    expect(page.locator(".status--signe")).to_be_visible(timeout=60_000)
    with app.app_context():
        slot = db.session.get(type(slot), slot_id)
        assert slot is not None and slot.state == SlotState.SIGNED
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "signature_created"))
        assert entry is not None and "personnel" in str(entry.details)


def test_without_an_agent_the_page_explains_how_to_install_it(page: Page, app: Flask, live_server: str) -> None:
    app.config["AGENT_PORT"] = free_port()  # nothing listens there
    territory = build_territory(app, communes=1)
    convention_id = off_the_browser_loop(open_convention, app, territory)
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        slot_id = next(s.id for s in convention.signatories if s.office.holder_on(datetime.now(UTC).date()).user.email
                       == mayor_email(1))  # type: ignore[union-attr]
    log_in(page, live_server, mayor_email(1))
    page.goto(f"{live_server}/signer/{slot_id}")
    open_card_section(page)
    expect(page.locator("#carte-absente")).to_be_visible()
    expect(page.locator("#carte-absente")).to_contain_text("convsign-agent.pyz serve")
    expect(page.locator("#carte-presente")).to_be_hidden()
