"""Issue 12, point 4: the witness cannot be bypassed, and heads kept outside the server catch a rewrite."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from convsign.audit import services as audit
from convsign.audit import witness
from convsign.extensions import db
from convsign.models import AuditEntry, AuditTimestamp
from convsign.outbox.delivery import deliver_due
from convsign.outbox.queue import queue_email
from convsign.pki.tsa import TimestampAuthority
from convsign.trust import platform
from tests.world import Territory, build_territory


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


def verify(runner: FlaskCliRunner, *anchors: str) -> tuple[int, str]:
    args = ["audit", "verify"]
    for anchor in anchors:
        args += ["--anchor", anchor]
    result = runner.invoke(args=args)
    return result.exit_code, result.output


def rewrite_chain(app: Flask, edited_index: int, rewrite_witness: bool) -> None:
    """What someone with the database (and the server's files) can do: edit an entry, recompute
    every hash after it and, with `rewrite_witness`, write a fresh witness file to match."""
    with app.app_context():
        entries = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
        previous = audit.GENESIS_HASH
        for index, entry in enumerate(entries):
            if index == edited_index:
                entry.details = '{"forged":true}'
            entry.previous_hash, entry.entry_hash = previous, f"{index:064x}"
            db.session.flush()
            entry.entry_hash = audit.compute_hash(previous, entry)
            previous = entry.entry_hash
        db.session.commit()
        assert audit.verify_chain()[1] is None
        if rewrite_witness:
            witness.path().write_text("".join(f"{e.id} {e.entry_hash}\n" for e in entries))


def test_a_missing_witness_fails_verification(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    assert verify(runner)[0] == 0
    with app.app_context():
        witness.path().unlink()
    code, output = verify(runner)
    assert code == 1
    assert "fichier témoin" in output and "absent" in output


def test_an_unreadable_witness_fails_verification(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    with app.app_context():
        target = witness.path()
    target.unlink()
    target.mkdir()  # a folder where the file should be: open() fails
    code, output = verify(runner)
    assert code == 1 and "illisible" in output


def test_appended_witness_lines_do_not_rewrite_history(
    app: Flask, runner: FlaskCliRunner, territory: Territory
) -> None:
    """The forger rebuilds the chain, then appends a line for every id with its new hash."""
    with app.app_context():
        first_ids = list(db.session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.id)))
        target = witness.path()
    rewrite_chain(app, 2, rewrite_witness=False)
    with app.app_context():
        forged = "".join(f"{e.id} {e.entry_hash}\n" for e in db.session.scalars(sa.select(AuditEntry)))
    with target.open("a") as handle:
        handle.write(forged)
    code, output = verify(runner)
    assert code == 1
    assert f"entrée n° {first_ids[2]} : entrée modifiée" in output


def test_a_second_witness_line_for_an_id_is_reported(app: Flask, runner: FlaskCliRunner, territory: Territory) -> None:
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        line, target = f"{entry.id} {entry.entry_hash}\n", witness.path()
    with target.open("a") as handle:
        handle.write(line)  # the same hash again: harmless in itself, but never written by the app
    code, output = verify(runner)
    assert code == 1
    assert f"entrée n° {entry.id}" in output and "seconde ligne" in output


def emailed_anchor(app: Flask) -> str:
    """The chain head a recipient keeps: read from the last e-mail written to the outbox."""
    with app.app_context():
        deliver_due()
    [path] = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))[-1:]
    payload = message_from_bytes(path.read_bytes()).get_payload(decode=True)
    assert isinstance(payload, bytes)
    match = re.search(r"entrée n° (\d+), empreinte ([0-9a-f]{64})", payload.decode())
    assert match, payload.decode()
    return f"{match.group(1)}:{match.group(2)}"


def test_a_chain_rewritten_with_the_server_alone_is_caught_by_an_emailed_anchor(
    app: Flask, runner: FlaskCliRunner, territory: Territory
) -> None:
    with app.app_context():
        queue_email("maire@example.org", "Avis", "Une convention attend votre signature.")
        db.session.commit()
    anchor = emailed_anchor(app)
    assert verify(runner, anchor)[0] == 0
    rewrite_chain(app, 1, rewrite_witness=True)  # database and witness file: both on the server
    code, output = verify(runner)
    assert code == 0, output  # the server alone can no longer tell
    code, output = verify(runner, anchor)
    assert code == 1
    assert f"L'ancre n° {anchor.split(':')[0]} ne correspond plus" in output


def test_a_malformed_anchor_is_refused(runner: FlaskCliRunner, territory: Territory) -> None:
    result = runner.invoke(args=["audit", "verify", "--anchor", "12:pas-une-empreinte"])
    assert result.exit_code == 2


@pytest.fixture
def external_tsa(app: Flask) -> Iterator[str]:
    """An RFC 3161 authority over HTTP on loopback (the PKI's own, served by another process would do)."""
    with app.app_context():
        authority = TimestampAuthority(platform.pki())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            answer = authority.respond(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    server.shutdown()
    server.server_close()


def test_the_head_is_timestamped_daily_and_a_rewrite_contradicts_the_token(
    app: Flask, runner: FlaskCliRunner, territory: Territory, external_tsa: str
) -> None:
    assert "rien à faire" in runner.invoke(args=["audit", "anchor"]).output  # no external authority
    app.config["TSA_URL"] = external_tsa
    first = runner.invoke(args=["audit", "anchor"])
    assert first.exit_code == 0 and "Tête horodatée" in first.output, first.output
    again = runner.invoke(args=["audit", "anchor"])
    assert "déjà horodatée aujourd'hui" in again.output
    with app.app_context():
        [stamp] = db.session.scalars(sa.select(AuditTimestamp)).all()
        head = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert head is not None and (stamp.entry_id, stamp.entry_hash) == (head.id, head.entry_hash)
    assert verify(runner)[0] == 0
    rewrite_chain(app, 1, rewrite_witness=True)
    code, output = verify(runner)
    assert code == 1 and "L'horodatage du" in output and "réécrite" in output


def test_a_timestamp_token_forged_with_another_key_is_refused(
    app: Flask, runner: FlaskCliRunner, territory: Territory, external_tsa: str, tmp_path: Path
) -> None:
    """Whoever rewrites the chain cannot stamp the new head with an authority of their own."""
    import asyncio
    import dataclasses

    from convsign.models.types import utcnow
    from convsign.pki.authority import ensure_pki

    app.config["TSA_URL"] = external_tsa
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    with app.app_context():
        own = platform.settings()
        forger_pki = ensure_pki(dataclasses.replace(own, directory=tmp_path / "forger-pki", secret=b"forger"),
                                utcnow())
        forged = TimestampAuthority(forger_pki).timestamper()
        stamp = db.session.scalars(sa.select(AuditTimestamp)).one()
        stamp.token = asyncio.run(forged.async_timestamp(bytes.fromhex(stamp.entry_hash), "sha256")).dump()
        db.session.commit()
    code, output = verify(runner)
    assert code == 1 and "hors des racines de confiance" in output
