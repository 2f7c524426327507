"""The convsign API calls the agent needs: read the document's hash, prepare, finish."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from convsign_agent.token import TokenCertificate


class ServerRefused(Exception):
    """The server said no; `status` is the HTTP status, the message its French reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Preparation:
    token: str
    digest: bytes
    algorithm: str


class Server:
    """A convsign server reached with a personal API token."""

    def __init__(self, url: str, api_token: str) -> None:
        self.base = url.rstrip("/") + "/api/v1"
        self.api_token = api_token

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (the server the person named)
            self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.api_token}", "Content-Type": "application/json",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (the server the person named)
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except urllib.error.HTTPError as error:
            try:
                problem = json.loads(error.read())
                message = str(problem.get("detail") or problem.get("title") or error.reason)
            except ValueError:
                message = str(error.reason)
            raise ServerRefused(error.code, message) from error
        except urllib.error.URLError as error:
            raise ServerRefused(0, f"Le serveur {self.base} ne répond pas ({error.reason}).") from error

    def document_sha256(self, convention_id: int) -> str:
        return str(self._call("GET", f"/conventions/{convention_id}")["document_sha256"])

    def prepare(self, convention_id: int, slot_id: int, seen_sha256: str, chain: list[TokenCertificate]) \
            -> Preparation:
        answer = self._call("POST", f"/conventions/{convention_id}/signatories/{slot_id}/token-signature/preparation",
                            {"seen_sha256": seen_sha256,
                             "certificates": [base64.b64encode(c.der).decode() for c in chain]})
        return Preparation(answer["preparation"], base64.b64decode(answer["digest"]), answer["signature_algorithm"])

    def finish(self, convention_id: int, slot_id: int, preparation: Preparation, signature: bytes) -> str:
        answer = self._call("POST", f"/conventions/{convention_id}/signatories/{slot_id}/token-signature",
                            {"preparation": preparation.token, "signature": base64.b64encode(signature).decode()})
        return str(answer["sha256"])
