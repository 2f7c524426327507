"""Issue 12, point 6: a reset link's token reaches the access log once, on landing, and is dead after use.

Through gunicorn with its access log on, as in production: the form that sets the password, and
everything after, is requested at an address without the token.
"""

from __future__ import annotations

import re
import time
from email import message_from_bytes
from pathlib import Path

from flask import Flask

from convsign.outbox.delivery import deliver_due
from tests.conftest import Factory
from tests.hardening.server import Browser, gunicorn

NEW = {"password": "une nouvelle phrase secrète", "confirm": "une nouvelle phrase secrète"}


def written_email(app: Flask, seconds: float = 30) -> list[Path]:
    """The .eml files once written: the worker delivers after its response, or we do it here."""
    deadline = time.monotonic() + seconds
    while True:
        with app.app_context():
            deliver_due()
        found = list((Path(app.instance_path) / "outbox").glob("*.eml"))
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_the_reset_token_stays_out_of_the_access_log(app: Flask, factory: Factory, tmp_path: Path) -> None:
    factory.user(email="maire@example.org")
    log = tmp_path / "access.log"
    with gunicorn(app, 1, GUNICORN_CMD_ARGS=f"--access-logfile {log}") as base:
        browser = Browser(base)
        assert browser.post("/mot-de-passe-oublie", {"email": "maire@example.org"}).status == 302
        [eml] = written_email(app)
        payload = message_from_bytes(eml.read_bytes()).get_payload(decode=True)
        assert isinstance(payload, bytes)
        [path] = re.findall(r"http://localhost(/reinitialisation/\S+)", payload.decode())
        token = path.rsplit("/", 1)[1]
        landed = browser.get(path)
        assert landed.status == 302
        assert browser.post("/reinitialisation", NEW).status == 302
        assert browser.get(path).status == 400  # used: dead, whoever reads it in the log
    lines = [line for line in log.read_text().splitlines() if token in line]
    # The landing (302, then the token lives in the session) and the reuse attempt above (400):
    # never the form, never the password's POST.
    assert [re.search(r'"(\w+) /reinitialisation/\S+ HTTP/1.1" (\d+)', line).groups() for line in lines] == [  # type: ignore[union-attr]
        ("GET", "302"), ("GET", "400")]
    assert any('"POST /reinitialisation HTTP/1.1" 302' in line for line in log.read_text().splitlines())
