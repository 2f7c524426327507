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
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from convsign import create_app
from convsign.conventions import services as conventions
from convsign.demo import services as demo
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, ConventionKind, ObjectiveDomain, Organisation, User
from convsign.models.types import local_today, utcnow
from convsign.signing import keys, services

TARGET = 1_500_000


@dataclass
class Signer:
    """One slot, who signs it, and the passphrase of their key."""

    slot_id: int
    field_name: str
    user_id: int
    passphrase: str


# open_ctg, _organisation and create_keys as in bench/signing_bench.py, kept here so that this
# bench measures bytes on its own.


def open_ctg(folder: Path) -> Convention:
    """Load the Lens-Liévin demo, then create and open its CTG with every suggested signatory."""
    demo.load_demo(folder / "demo-logins.txt")
    epci = _organisation(demo.EPCI.siren)
    caf = _organisation(demo.CAF.siren)
    coordinator = db.session.scalar(sa.select(User).where(User.email == f"coordination@{demo.DOMAIN}"))
    assert coordinator is not None
    parties = [epci, caf, *conventions.epci_communes(epci.id)]
    start, end = conventions.ctg_period(2026)
    data = conventions.ConventionData(
        title="Convention Territoriale Globale 2026-2029 (banc d'essai)",
        reference="BENCH-CTG",
        kind=ConventionKind.CTG,
        lead_id=epci.id,
        caf_id=caf.id,
        start=start,
        end=end,
        preamble="Banc d'essai de la signature.",
        steering_committee="Un comité de pilotage réunit les parties deux fois par an.",
        deadline=None,
        party_ids=tuple(p.id for p in parties),
        objectives=(conventions.ObjectiveData(ObjectiveDomain.YOUTH, "Proposer une offre jeunesse harmonisée."),),
        signatories=tuple(conventions.suggested_signatories(parties)),
    )
    convention = conventions.save_draft(data, coordinator)
    for party in convention.parties:  # the deliberation gate is not what this bench measures
        party.deliberation_required, party.waiver_reason = False, "Banc d'essai"
    conventions.open_convention(convention, coordinator, utcnow())
    db.session.commit()
    return convention


def _organisation(siren: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.siren == siren))
    assert org is not None, siren
    return org


def create_keys(convention: Convention) -> list[Signer]:
    """A key per signatory, under its own passphrase (production Argon2id cost), in slot order."""
    signers_ = []
    for number, slot in enumerate(convention.signatories, start=1):
        mandate = slot.office.holder_on(local_today())
        assert mandate is not None, slot.office.title
        passphrase = f"phrase secrète du banc d'essai n° {number}"
        keys.create_key(mandate.user, mandate, passphrase, utcnow())
        signers_.append(Signer(slot.id, slot.field_name, mandate.user_id, passphrase))
    db.session.commit()
    return signers_


def build_app(folder: Path) -> Flask:
    """The app on a throwaway instance, with the test suite's cheap passphrase KDF."""
    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": f"sqlite:///{folder / 'b.sqlite3'}",
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
