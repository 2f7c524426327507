"""Schemathesis, run as an outside client would: it reads /api/v1/openapi.json from the real app served
by gunicorn on loopback and fuzzes every operation, every check on, with a mayor's token and then a
coordinator's; its stateful phase follows the description's links (create a draft, open it, read it,
sign a slot). A failure here is a server error, or an answer the description does not promise.

Bounded for CI (CONVSIGN_FUZZ_EXAMPLES examples per operation, a fixed seed); the README gives the
longer run (100 examples per operation).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from convsign.extensions import db
from convsign.models import Mandate, Organisation, User
from convsign.signing import keys
from tests.api.conftest import bearer, token_for
from tests.hardening.server import ROOT, gunicorn
from tests.world import PASSPHRASE, Territory, build_territory

EXAMPLES = int(os.environ.get("CONVSIGN_FUZZ_EXAMPLES", "5"))
SEED = os.environ.get("CONVSIGN_FUZZ_SEED", "20271")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@dataclass(frozen=True)
class Fuzzing:
    """What the fuzzer is given: tokens, the owner's passphrase, an example draft, real PDFs."""

    coordinator: str
    mayor: str
    draft: Path
    pdfs: list[Path]


def siren(app: Flask, organisation_id: int) -> str:
    with app.app_context():
        org = db.session.get(Organisation, organisation_id)
        assert org is not None
        return org.siren


def example_draft(app: Flask, territory: Territory) -> dict[str, object]:
    """A draft whose parties and signatories exist, every party dispensed so that signing may start."""
    waived = {"deliberation_required": False, "waiver_reason": "Délibération-cadre de 2022"}
    return {
        "title": "CTG 2027-2030 (essai de contrat)",
        "reference": "CTG-FUZZ",
        "kind": "ctg",
        "start": "2027-01-01",
        "end": "2030-12-31",
        "parties": [
            {"siren": siren(app, territory.epci_id), **waived},
            {"organisation_id": territory.caf_id, **waived},
            {"organisation_id": territory.commune_ids[0], **waived},
        ],
        "objectives": {"jeunesse": ["Une offre jeunesse harmonisée."]},
        "signatories": [{"user_email": h.email} for h in territory.holders],
    }


def give_keys(app: Flask, territory: Territory) -> None:
    """Every holder has a signing key whose passphrase is PASSPHRASE."""
    with app.app_context():
        for holder in territory.holders:
            user = db.session.get(User, holder.user_id)
            mandate = db.session.scalar(sa.select(Mandate).where(Mandate.office_id == holder.office_id))
            assert user is not None and mandate is not None
            keys.create_key(user, mandate, PASSPHRASE, datetime.now(UTC))
        db.session.commit()


@pytest.fixture
def fuzzing(app: Flask, client: FlaskClient, tmp_path: Path) -> Fuzzing:
    """A territory, its holders' keys, a draft and an opened convention made through the API."""
    territory = build_territory(app, communes=1)
    give_keys(app, territory)
    coordinator = token_for(app, territory.coordinator_email)
    mayor = token_for(app, territory.holder("Maire").email)
    draft = example_draft(app, territory)
    (tmp_path / "draft.json").write_text(json.dumps(draft), encoding="utf-8")
    ids = []
    for _ in range(2):
        created = client.post("/api/v1/conventions", json=draft, headers=bearer(coordinator))
        assert created.status_code == 201, created.get_data(as_text=True)
        ids.append(created.get_json()["id"])
    opened = client.post(f"/api/v1/conventions/{ids[1]}/open", headers=bearer(coordinator))
    assert opened.status_code == 200, opened.get_data(as_text=True)
    document = client.get(f"/api/v1/conventions/{ids[1]}/document", headers=bearer(coordinator))
    assert document.status_code == 200
    (tmp_path / "certified.pdf").write_bytes(document.get_data())
    return Fuzzing(coordinator, mayor, tmp_path / "draft.json", [tmp_path / "certified.pdf"])


def schemathesis_run(base: str, token: str, fuzzing: Fuzzing, report: Path) -> subprocess.CompletedProcess[str]:
    """`schemathesis run` with every check, as the README gives it, bounded for CI."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CONVSIGN_FUZZ_DRAFT": str(fuzzing.draft),
        "CONVSIGN_FUZZ_PDFS": os.pathsep.join(str(p) for p in fuzzing.pdfs),
        "CONVSIGN_FUZZ_PASSPHRASE": PASSPHRASE,
    }
    command = [
        str(SCHEMATHESIS), "--config-file", str(ROOT / "schemathesis.toml"), "run", f"{base}/api/v1/openapi.json",
        "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", SEED, "--workers", "1",
        "--header", f"Authorization: Bearer {token}", "--no-color", "--report", "ndjson",
        "--report-ndjson-path", str(report),
    ]
    timeout = 600 + 60 * EXAMPLES  # a bound, far above what a run takes
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def answers(report: Path) -> Counter[tuple[str, str, int]]:
    """(method, path with ids as N, status) of every call the NDJSON report records."""
    found: Counter[tuple[str, str, int]] = Counter()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            request, response = node.get("request"), node.get("response")
            if isinstance(request, dict) and isinstance(response, dict) and "status_code" in response:
                path = re.sub(r"^https?://[^/]+/api/v1|\?.*$", "", str(request.get("uri") or request.get("url") or ""))
                found[(str(request.get("method")), re.sub(r"/\d+(?=/|$)", "/N", path), response["status_code"])] += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with report.open(encoding="utf-8") as lines:
        for line in lines:
            walk(json.loads(line))
    return found


def test_schemathesis_finds_nothing_with_a_coordinator_and_a_mayor(app: Flask, fuzzing: Fuzzing,
                                                                   tmp_path: Path) -> None:
    reports = Path(os.environ.get("CONVSIGN_FUZZ_REPORTS", tmp_path))
    with gunicorn(app, workers=2) as base:
        # The mayor first: the coordinator's run cancels conventions, the one the mayor may sign included.
        for who, token in (("mayor", fuzzing.mayor), ("coordinator", fuzzing.coordinator)):
            result = schemathesis_run(base, token, fuzzing, reports / f"{who}.ndjson")
            (reports / f"{who}.txt").write_text(result.stdout, encoding="utf-8")
            assert result.returncode == 0, f"{who}:\n{result.stdout[-20000:]}\n{result.stderr[-5000:]}"
    # It walked real workflows, not only 404s: the mayor read the opened convention and decided on their
    # slot (signed it with the revision read, or refused it first, as a longer run may); the coordinator
    # created drafts and opened them.
    coordinator, mayor = answers(reports / "coordinator.ndjson"), answers(reports / "mayor.ndjson")
    slot = "/conventions/N/signatories/N"
    assert mayor[("POST", f"{slot}/signature", 201)] + mayor[("POST", f"{slot}/refusal", 201)] > 0
    assert coordinator[("POST", "/conventions", 201)] > 0
    assert coordinator[("POST", "/conventions/N/open", 200)] > 0
