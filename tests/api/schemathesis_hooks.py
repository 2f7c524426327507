"""Schemathesis hooks for convsign: `SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks schemathesis run …`.

- PDF bodies (`POST /verify`, `POST /conventions/{id}/document`): the description says `application/pdf`,
  raw bytes, which Schemathesis cannot derive from a schema; this strategy sends real PDFs (a minimal
  one, and those named by CONVSIGN_FUZZ_PDFS, e.g. a certified convention) and broken ones.
- CONVSIGN_FUZZ_DRAFT (a JSON file): a draft whose organisations and people exist on the instance
  under test, given as the example of `createConvention`, so the fuzzer can create drafts and walk
  the links from there (open, read, sign) instead of only hearing "organisation inconnue".
- CONVSIGN_FUZZ_PASSPHRASE: the signing passphrase of the token's owner, a credential like the token
  itself; with it, a signature that reaches a slot of the owner with the revision read is accepted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st

SIGN = "POST /conventions/{convention_id}/signatories/{slot_id}/signature"


def minimal_pdf(text: str = "Convention") -> bytes:
    """A one-page PDF, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 72 770 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def known_pdfs() -> list[bytes]:
    """The minimal PDF, and the files CONVSIGN_FUZZ_PDFS names (separated by the path separator)."""
    paths = [p for p in os.environ.get("CONVSIGN_FUZZ_PDFS", "").split(os.pathsep) if p]
    return [minimal_pdf(), *(Path(p).read_bytes() for p in paths)]


def pdf_bodies() -> st.SearchStrategy[bytes]:
    """Whole PDFs, truncated ones, ones with a flipped byte, and bytes that only start like a PDF."""
    whole = st.sampled_from(known_pdfs())
    truncated = st.tuples(whole, st.floats(0, 1)).map(lambda t: t[0][: int(len(t[0]) * t[1])])
    flipped = st.tuples(whole, st.integers(0, 2**31), st.integers(1, 255)).map(
        lambda t: t[0][: t[1] % len(t[0])] + bytes([t[0][t[1] % len(t[0])] ^ t[2]]) + t[0][t[1] % len(t[0]) + 1 :]
    )
    return st.one_of(whole, truncated, flipped, st.binary(max_size=2000).map(lambda b: b"%PDF-1.7\n" + b))


schemathesis.openapi.media_type("application/pdf", pdf_bodies())


@schemathesis.hook
def before_load_schema(context: schemathesis.HookContext, raw_schema: dict[str, Any]) -> None:
    """Give `createConvention` the example draft of CONVSIGN_FUZZ_DRAFT, when there is one."""
    path = os.environ.get("CONVSIGN_FUZZ_DRAFT")
    if path:
        content = raw_schema["paths"]["/conventions"]["post"]["requestBody"]["content"]["application/json"]
        content["example"] = json.loads(Path(path).read_text(encoding="utf-8"))


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """Sign with the token owner's passphrase (CONVSIGN_FUZZ_PASSPHRASE) when the body carries a text one."""
    passphrase = os.environ.get("CONVSIGN_FUZZ_PASSPHRASE")
    body = case.body
    if (
        passphrase
        and case.operation.label == SIGN
        and case.meta is not None
        and case.meta.generation.mode.is_positive
        and isinstance(body, dict)
        and isinstance(body.get("passphrase"), str)
    ):
        case.body = {**body, "passphrase": passphrase}
