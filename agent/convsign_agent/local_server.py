"""`convsign-agent serve`: a small JSON API on 127.0.0.1 for the signing page of one convsign server.

It answers only the origin of the server it was paired with (the person confirms that address
once; it is kept in ~/.config/convsign-agent/paired), and asks on its own terminal before each
signature. The PIN typed on the page comes to this process over loopback and opens the token
here: it never goes to the server.

    GET  /status        {"agent": "convsign-agent", "version": …}
    GET  /certificates  [{"id", "label", "subject", "issuer", "not_after", "der", "chain"}]
    POST /sign          {"certificate_id", "digest" (base64), "algorithm", "pin", "document"}
                        -> {"signature": base64}
"""

from __future__ import annotations

import argparse
import base64
import binascii
import http.server
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from convsign_agent import token

VERSION = "0.1.0"
MAX_BODY = 64 * 1024


def origin_of(url: str) -> str:
    """scheme://host[:port] of an address, as browsers send it in Origin."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise token.TokenError(f"Adresse de serveur invalide : {url}")
    return f"{parts.scheme}://{parts.netloc}"


def paired_file() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "convsign-agent" / "paired"


def ask(question: str) -> bool:
    """A yes/no question on the agent's terminal (standard input)."""
    print(question + " [o/N] ", end="", flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("o", "oui", "y", "yes")


def pair(origin: str) -> None:
    """Confirm the server's address once; later starts with the same address ask nothing."""
    path = paired_file()
    if path.exists() and path.read_text().strip() == origin:
        return
    if not ask(f"Autoriser {origin} à demander des signatures à votre carte ?"):
        raise token.TokenError("Appairage refusé : l'agent ne répondra à aucun serveur.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(origin + "\n")


class Agent:
    """The state of a running agent: its module, token, paired origin; one signature at a time."""

    def __init__(self, module: str, token_label: str | None, origin: str) -> None:
        self.module, self.token_label, self.origin = module, token_label, origin
        self.lock = threading.Lock()

    def certificates(self) -> list[dict[str, Any]]:
        found = token.list_certificates(self.module, self.token_label)
        others = [c for c in found if c.is_ca]
        return [{**c.describe(), "der": base64.b64encode(c.der).decode(),
                 "chain": [base64.b64encode(o.der).decode() for o in others]}
                for c in found if not c.is_ca]

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            digest = base64.b64decode(str(body["digest"]), validate=True)
            certificate_id, algorithm, pin = str(body["certificate_id"]), str(body["algorithm"]), str(body["pin"])
        except (KeyError, binascii.Error, ValueError) as exc:
            raise token.TokenError("Demande de signature incomplète.") from exc
        if len(digest) != 32:
            raise token.TokenError("L'empreinte à signer doit être un SHA-256.")
        found = [c for c in token.list_certificates(self.module, self.token_label) if c.object_id == certificate_id]
        if not found:
            raise token.TokenError("Ce certificat n'est plus sur la carte.")
        document = str(body.get("document") or "un document")[:200]
        with self.lock:
            if not ask(f"{self.origin} demande la signature de « {document} » avec « {found[0].label} ». Signer ?"):
                raise token.TokenError("Signature refusée sur l'ordinateur.")
            value = token.sign_digest(self.module, self.token_label, found[0], pin=pin, digest=digest,
                                      algorithm=algorithm)
        return {"signature": base64.b64encode(value).decode()}


def handler_for(agent: Agent) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "convsign-agent"

        def _allowed(self) -> bool:
            return self.headers.get("Origin") == agent.origin

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            if self._allowed():
                self.send_header("Access-Control-Allow-Origin", agent.origin)
                self.send_header("Vary", "Origin")
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_OPTIONS(self) -> None:
            if not self._allowed():
                self._send(403, {"detail": "Origine non appairée."})
                return
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", agent.origin)
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
            self.send_header("Access-Control-Allow-Private-Network", "true")
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Vary", "Origin")
            self.end_headers()

        def do_GET(self) -> None:
            if not self._allowed():
                self._send(403, {"detail": "Origine non appairée."})
            elif self.path == "/status":
                self._send(200, {"agent": "convsign-agent", "version": VERSION})
            elif self.path == "/certificates":
                self._answer(agent.certificates)
            else:
                self._send(404, {"detail": "Introuvable."})

        def do_POST(self) -> None:
            if not self._allowed():
                self._send(403, {"detail": "Origine non appairée."})
                return
            if self.path != "/sign":
                self._send(404, {"detail": "Introuvable."})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, {"detail": "Demande trop volumineuse."})
                return
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError:
                self._send(400, {"detail": "JSON attendu."})
                return
            self._answer(lambda: agent.sign(body if isinstance(body, dict) else {}))

        def _answer(self, action: Any) -> None:
            try:
                self._send(200, action())
            except token.TokenError as failure:
                self._send(422, {"detail": str(failure)})

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def run(args: argparse.Namespace) -> None:
    """Pair with the server (once), then serve on 127.0.0.1 until interrupted."""
    origin = origin_of(args.server)
    pair(origin)
    agent = Agent(args.module, args.token_label, origin)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(agent))
    print(f"Agent convsign prêt sur http://127.0.0.1:{server.server_port} pour {origin}.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
