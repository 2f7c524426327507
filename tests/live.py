"""The app served on a free loopback port in a thread, for the browser and the signing agent."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class _ClosingGate:
    """WSGI middleware that lets the server close cleanly under a browser still loading.

    The server's request threads are daemons that server_close() does not join, and Chromium keeps
    connections alive: a request still running (or arriving on a kept-alive connection) after the test
    would open a database connection on an engine the app fixture has already disposed, and leak it.
    Once closed, the gate answers 503 without entering the app, and close() waits for those inside."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.inside = 0
        self.closed = False
        self.idle = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self.idle:
            if self.closed:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"closed"]
            self.inside += 1
        try:
            return self.app(environ, start_response)  # Flask pops its contexts before returning
        finally:
            with self.idle:
                self.inside -= 1
                self.idle.notify_all()

    def close(self, timeout: float = 30) -> None:
        with self.idle:
            self.closed = True
            if not self.idle.wait_for(lambda: self.inside == 0, timeout):
                raise RuntimeError(f"{self.inside} request(s) still running after {timeout} s")


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 and a free port; yields its base URL; on exit, no request is left inside."""
    gate = _ClosingGate(app)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, gate, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        gate.close()
