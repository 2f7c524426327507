"""Validation benchmark: pyHanko's plain per-signature loop against `validate_document`.

Run from the repository root:

    .venv/bin/python -m bench.validation_bench [--signatures 40] [--repeats 3] [--rebuild]

The documents are the real thing: the demo CTG rendered by `convsign.pdf.generation` (36
communes, the EPCI, the CAF, plus the Département and the MSA to reach 40 signatories), its
fields added by `convsign.pdf.fields`, certified and signed by `convsign.pdf.signing` (B-T, the
stamp the app draws, an in-process RFC 3161 TSA), then completed to B-LTA by `complete_to_lta`.
Keys and certificates are throwaway ones made by `tests/unit/pdf/_documents.py`. Building takes
a minute; the files are cached in `bench/.cache/validation/<n>/` (git-ignored): `--rebuild` to
make them again.

Timed in one process, wall clock (`time.perf_counter`; `--cpu`: the process's CPU time, fairer
on a machine other jobs load), the minimum and the median of
`--repeats` runs after one warm-up run of each function: `validate_document_plain` and
`validate_document` on the B-T file (after the last signature) and on the B-LTA file, and
`validate_last_signature` on the file after signature 1 and after the last one. The two full
validations must return equal reports, or the benchmark fails.

Then through the API: the app on a throwaway instance folder and SQLite file (production
settings, the bench's root added with EXTRA_TRUST_ROOTS, no rate limit), one person's token, and
`POST /api/v1/verify` of each file through Flask's test client (the whole request: inspection
under the work budget, validation, identification, JSON), once with the app as it is and once
with its validator swapped for the plain loop. `--no-api` skips this part.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convsign.pdf import signing  # noqa: E402
from convsign.pdf.fields import add_signature_fields  # noqa: E402
from convsign.pdf.generation import SignatorySpec, render_convention  # noqa: E402
from convsign.pdf.validation import (  # noqa: E402
    TrustSettings,
    validate_document,
    validate_document_plain,
    validate_last_signature,
)
from convsign.pki.identity import SigningIdentity  # noqa: E402
from tests.unit.pdf import _documents as docs  # noqa: E402
from tests.unit.pdf.corpus.ctg_demo import demo_spec  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "validation"
TARGET_RATIO = 5.0
EXTRA = (
    SignatorySpec("president_departement", "Président", "Département du Pas-de-Calais", 3),
    SignatorySpec("president_msa", "Président", "MSA Nord-Pas de Calais", 3),
)


def build_states(n: int) -> tuple[list[bytes], TrustSettings]:
    """Render, field, certify, sign n times and complete: every successive file, and the trust."""
    spec = demo_spec()
    spec = dataclasses.replace(spec, signatories=(spec.signatories + EXTRA)[:n])
    generated = render_convention(spec)
    pdf = add_signature_fields(generated.pdf, generated.placements)
    pki = docs.build_pki(n)
    stamper = docs.timestamper(pki)
    chain = (pki.ca.cert,)
    pdf = signing.certify(pdf, SigningIdentity(pki.platform.key, pki.platform.cert, chain), stamper)
    states = [pdf]
    for placement, who in zip(generated.placements, pki.signers, strict=True):
        pdf = signing.sign_field(
            pdf,
            placement.field_name,
            SigningIdentity(who.key, who.cert, chain),
            stamper,
            reason="Signature de la convention",
            location="Lens",
            signer_name=docs.common_name(who.cert),
            stamp_lines=["Signé électroniquement par", docs.common_name(who.cert)],
        )
        states.append(pdf)
    inputs = signing.ValidationInputs(trust_roots=(pki.root.cert,), crls=pki.crls)
    states.append(signing.complete_to_lta(pdf, stamper, inputs))
    return states, TrustSettings((pki.root.cert,), pki.crls)


def load_or_build(n: int, rebuild: bool) -> tuple[list[bytes], TrustSettings]:
    """The cached files for n signatures, built first if missing (or if asked)."""
    folder = CACHE / str(n)
    if rebuild or not (folder / "root.der").exists():
        started = time.perf_counter()
        states, trust = build_states(n)
        folder.mkdir(parents=True, exist_ok=True)
        for index, pdf in enumerate(states):
            (folder / f"state-{index:03d}.pdf").write_bytes(pdf)
        (folder / "root.der").write_bytes(trust.roots[0].public_bytes(Encoding.DER))
        for index, crl in enumerate(trust.crls):
            (folder / f"crl-{index}.der").write_bytes(crl)
        print(f"built {len(states)} files in {time.perf_counter() - started:.1f} s -> {folder}")
    states = [p.read_bytes() for p in sorted(folder.glob("state-*.pdf"))]
    root = x509.load_der_x509_certificate((folder / "root.der").read_bytes())
    crls = tuple(p.read_bytes() for p in sorted(folder.glob("crl-*.der")))
    return states, TrustSettings((root,), crls)


CLOCK = {"now": time.perf_counter}  # `--cpu` switches to the process's CPU time


def timed(call: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """One warm-up call, then `repeats` timed calls; the times and the last result."""
    result = call()
    times = []
    for _ in range(repeats):
        started = CLOCK["now"]()
        result = call()
        times.append(CLOCK["now"]() - started)
    return times, result


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine() -> str:
    """One line naming the machine and the versions measured."""
    return (
        f"{os.cpu_count()} CPU ({cpu_model()}), Python {platform.python_version()}, "
        f"pyHanko {metadata.version('pyhanko')}, "
        f"pyhanko-certvalidator {metadata.version('pyhanko-certvalidator')}"
    )


def row(label: str, times: list[float]) -> str:
    """A table row: minimum and median, in seconds."""
    return f"| {label:<44} | {min(times):8.3f} | {statistics.median(times):8.3f} |"


def compare(states: list[bytes], trust: TrustSettings, repeats: int) -> bool:
    """Time both validators on the B-T and B-LTA files; print the table; True if all is well."""
    ok = True
    lines = ["| measure (s)                                  |      min |   median |", "|---|---:|---:|"]
    for name, pdf in (("B-T", states[-2]), ("B-LTA", states[-1])):
        plain_t, plain = timed(lambda pdf=pdf: validate_document_plain(pdf, trust), max(1, repeats - 1))
        fast_t, fast = timed(lambda pdf=pdf: validate_document(pdf, trust), repeats)
        same = plain == fast
        ratio = min(plain_t) / min(fast_t)
        ok = ok and same and ratio >= TARGET_RATIO and fast.valid and fast.level == name
        count = fast.signature_count
        lines.append(row(f"{name} plain loop ({count} signatures)", plain_t))
        lines.append(row(f"{name} validate_document", fast_t))
        lines.append(f"| {name} ratio (min/min): {ratio:.1f}x, same verdicts: {same}, level {fast.level} | | |")
    for index in (1, len(states) - 2):
        last_t, report = timed(lambda index=index: validate_last_signature(states[index], trust), repeats * 3)
        ok = ok and report.ok
        lines.append(row(f"validate_last_signature at signature {index}", last_t))
    print("\n".join(lines))
    return ok


def api_compare(states: list[bytes], trust: TrustSettings, repeats: int) -> bool:
    """Time `POST /api/v1/verify` with the fast validator and with the plain loop swapped in."""
    import tempfile
    from unittest import mock

    from convsign.verification import services

    with tempfile.TemporaryDirectory() as folder:
        app, token = _api_app(Path(folder), trust)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/pdf"}

        def post(pdf: bytes) -> Any:
            answer = client.post("/api/v1/verify", data=pdf, headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            return answer.get_json()

        ok = True
        lines = ["| POST /api/v1/verify (s)                      |      min |   median |", "|---|---:|---:|"]
        for name, pdf in (("B-T", states[-2]), ("B-LTA", states[-1])):
            fast_t, fast = timed(lambda pdf=pdf: post(pdf), repeats)
            with mock.patch.object(services, "validate_document", validate_document_plain):
                plain_t, plain = timed(lambda pdf=pdf: post(pdf), max(1, repeats - 1))
            same = fast == plain
            ratio = min(plain_t) / min(fast_t)
            ok = ok and same and ratio >= TARGET_RATIO and fast["valid"] and fast["level"] == name
            lines.append(row(f"{name} API, plain loop", plain_t))
            lines.append(row(f"{name} API, validate_document", fast_t))
            lines.append(f"| {name} API ratio (min/min): {ratio:.1f}x, same JSON: {same} | | |")
        print("\n".join(lines))
        return ok


def _api_app(folder: Path, trust: TrustSettings) -> tuple[Any, str]:
    """The app (migrated, PKI made), the bench's root trusted, and a signatory's API token."""
    from datetime import UTC, datetime

    from flask_migrate import upgrade

    from convsign import create_app
    from convsign.api import tokens
    from convsign.extensions import db
    from convsign.models import Role, User

    roots = folder / "roots.pem"
    roots.write_bytes(trust.roots[0].public_bytes(Encoding.PEM))
    app = create_app({
        "EXTERNAL_URL": "http://127.0.0.1:5000",
        "INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": "sqlite:///" + str(folder / "bench.sqlite3"),
        "SECRET_KEY": "bench-secret-key",
        "EXTRA_TRUST_ROOTS": str(roots),
        "RATELIMIT_ENABLED": False,
        "PKI_TSA_KEY_SIZE": 2048,
    })
    with app.app_context():
        upgrade()
        user = User(name="Banc d'essai", email="bench@example.org", password_hash=None)
        user.set_roles({Role.SIGNATORY})
        db.session.add(user)
        db.session.flush()
        secret = tokens.create_token(user, "banc", None, datetime.now(UTC)).secret
        db.session.commit()
    return app, secret


def main() -> int:
    """Build or load the documents, measure, print; exit status 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signatures", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-api", action="store_true", help="skip the measurement through the API")
    parser.add_argument("--cpu", action="store_true", help="time CPU of the process, not wall clock (loaded machine)")
    args = parser.parse_args()
    if args.cpu:
        CLOCK["now"] = time.process_time
    states, trust = load_or_build(args.signatures, args.rebuild)
    print(machine())
    print(
        f"{args.signatures} approval signatures + certification; file sizes: B-T {len(states[-2]) // 1024} KiB, "
        f"B-LTA {len(states[-1]) // 1024} KiB"
    )
    ok = compare(states, trust, args.repeats)
    if not args.no_api:
        ok = api_compare(states, trust, args.repeats) and ok
    print("targets met" if ok else f"TARGET MISSED (ratio >= {TARGET_RATIO}, same verdicts, valid)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
