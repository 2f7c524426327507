"""The size of a signed CTG's whole revision history in the document store, as stored now
(increments) and as it was stored before (every revision whole).

Run from the repository root:

    .venv/bin/python -m bench.history_bench

It builds the app on a throwaway instance folder and SQLite file, loads the demo, opens the
Lens-Liévin CTG (38 signatories) as bench/signing_bench.py does, and has every signatory sign it
in turn through `services.sign_slot` (the 38th signature completes it to B-LTA). Keys use the
test suite's Argon2id cost: only bytes are measured here, not time, so the machine's load does not
matter. Then it sums the objects under instance/documents (what the store spends) against the
sum of the revisions' sizes (what storing each revision whole spent); the whole documents
folder (the demo's other documents too) is shown beside. Target: at most 1.5 MB.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

# The same demo CTG and keys as the signing benchmark.
from bench.signing_bench import create_keys, open_ctg
from convsign import create_app
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, User
from convsign.models.types import utcnow
from convsign.signing import services

TARGET = 1_500_000


def build_app(folder: Path) -> Flask:
    """The app on a throwaway instance, with the test suite's cheap passphrase KDF."""
    app = create_app({"EXTERNAL_URL": "http://127.0.0.1:5000",
                      "INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": f"sqlite:///{folder / 'b.sqlite3'}",
                      "SECRET_KEY": "bench-secret-key", "PASSPHRASE_KDF_MEMORY_KIB": 1024,
                      "PASSPHRASE_KDF_PASSES": 1})
    with app.app_context():
        upgrade()
    return app


def main() -> None:
    """Sign the CTG to the end, then print the history's sizes as markdown."""
    logging.getLogger("pyhanko.pdf_utils.font.opentype").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="convsign-history-") as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            convention = open_ctg(Path(tmp))
            convention_id = convention.id
            for signer in create_keys(convention):
                user = db.session.get(User, signer.user_id)
                assert user is not None
                current = db.session.get(Convention, convention_id)
                assert current is not None and current.latest_sha256
                services.sign_slot(signer.slot_id, user, signer.passphrase, current.latest_sha256, utcnow())
                db.session.commit()
                print(".", end="", file=sys.stderr, flush=True)
            current = db.session.get(Convention, convention_id)
            assert current is not None
            rows = documents.revisions(current)
            store = documents.store()
            stored = sum(store.stored_bytes(row.sha256) for row in rows)
            folder = sum(p.stat().st_size for p in (Path(app.instance_path) / "documents").rglob("*") if p.is_file())
            whole = sum(row.size for row in rows)
        print(f"\n| revisions | final document | every revision whole | stored (increments) | whole documents folder "
              f"| target |\n|---|---|---|---|---|---|\n"
              f"| {len(rows)} | {rows[-1].size / 1e6:.2f} MB | {whole / 1e6:.2f} MB | {stored / 1e6:.2f} MB "
              f"| {folder / 1e6:.2f} MB | {'met' if stored <= TARGET else 'MISSED'} (≤ {TARGET / 1e6:.1f} MB) |")


if __name__ == "__main__":
    main()
