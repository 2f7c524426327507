"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against the app on loopback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from flask import Flask

from tests.live import serving

T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, and this network is closed.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the session; skipped locally without it, an error in CI."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on a free loopback port, in a thread; yields its base URL."""
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context (no cookies) and page, French-speaking as the users are."""
    context = browser.new_context(locale="fr-FR")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def off_the_browser_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `function` in another thread.

    Playwright's sync API keeps an asyncio loop running in the test's thread, and pyHanko's sync
    calls use asyncio.run, which refuses to start inside a running loop: setup that signs or
    certifies documents (the demo, opening a convention) must run elsewhere, as the server does.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()
