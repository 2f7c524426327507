"""The app served by gunicorn on loopback, on the test database, for tests that need real processes."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(app: Flask, **extra: str) -> dict[str, str]:
    """The test app's configuration, as the CONVSIGN_* variables a separate process reads."""
    config = app.config
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVSIGN_")}
    env.update({
        "CONVSIGN_INSTANCE_PATH": app.instance_path,
        "CONVSIGN_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "CONVSIGN_SECRET_KEY": config["SECRET_KEY"],
        "CONVSIGN_PKI_TSA_KEY_SIZE": str(config["PKI_TSA_KEY_SIZE"]),
        "CONVSIGN_RATELIMIT_ENABLED": "false",
        "CONVSIGN_EXTERNAL_URL": config["EXTERNAL_URL"],
        **extra,
    })
    if config.get("PKI_DIRECTORY"):  # otherwise the PKI is in the shared store
        env["CONVSIGN_PKI_DIRECTORY"] = config["PKI_DIRECTORY"]
    return env


@contextmanager
def gunicorn(app: Flask, workers: int, **extra: str) -> Iterator[str]:
    """gunicorn serving `app`'s configuration with `workers` processes; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--graceful-timeout", "5", "app:app"],
        cwd=ROOT, env=server_environment(app, **extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def wait_until_up(base: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited: " + (process.stderr.read().decode() if process.stderr else ""))
        try:
            urllib.request.urlopen(base + "/connexion", timeout=10).close()
            return
        except OSError:  # refused while starting, or timed out while the workers import the app
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    body: str


class Browser:
    """A cookie-keeping HTTP client that fills forms with their CSRF token, as a browser would."""

    TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def get(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str], token_from: str | None = None) -> Answer:
        page = self.get(token_from or path)
        match = self.TOKEN.search(page.body)
        assert match, f"no CSRF token on {token_from or path}: {page.status}"
        body = urllib.parse.urlencode({"csrf_token": match.group(1), **data}).encode()
        return self._send(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=120) as response:
                return Answer(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode("utf-8", "replace"))
        except (OSError, http.client.HTTPException):  # the worker died under the request
            return Answer(0, "")

    def login(self, email: str, password: str) -> None:
        answer = self.post("/connexion", {"email": email, "password": password})
        assert answer.status == 302, answer.body[:500]
