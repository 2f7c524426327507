"""Every revision of a finished convention says the same PDF version as its header and its XMP
(PDF/A-2b, based on PDF 1.7): no 2.0 in the catalogue, no extension based on PDF 2.0."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from pyhanko.pdf_utils.reader import PdfFileReader

from convsign.pdf import signing
from convsign.pdf.fields import add_signature_fields
from convsign.pdf.generation import render_convention
from convsign.pki.authority import Pki
from convsign.pki.tsa import TimestampAuthority
from tests.unit.conftest import SignerFactory
from tests.unit.pdf.corpus.ctg_demo import demo_spec

_PART = re.compile(rb"pdfaid:part(?:=\"|>)\s*(\d)")


def _finished(pki: Pki, signer_identity: SignerFactory) -> bytes:
    generated = render_convention(demo_spec())
    slots = generated.placements[:2]
    pdf = add_signature_fields(generated.pdf, slots)
    stamper = TimestampAuthority(pki).timestamper()
    pdf = signing.certify(pdf, pki.seal_identity(), stamper)
    for slot in slots:
        pdf = signing.sign_field(pdf, slot.field_name, signer_identity(), stamper, reason="Signature",
                                 location="Lens", signer_name="Élu", stamp_lines=["Élu"])
    from convsign.pki.crl import build_crl, build_root_crl

    now = datetime.now(UTC)
    later = now.replace(year=now.year + 1)
    crls = (build_crl(pki, (), now, later), build_root_crl(pki, now, later))
    return signing.complete_to_lta(pdf, stamper, signing.ValidationInputs(pki.trust_roots(), crls))


def _revisions(pdf: bytes) -> list[bytes]:
    """The file as it stood after each revision: every prefix ending at an %%EOF marker."""
    return [pdf[: m.end()] for m in re.finditer(rb"%%EOF\r?\n?", pdf)]


def test_every_revision_declares_pdf_1_7_and_pdfa_2(pki: Pki, signer_identity: SignerFactory) -> None:
    states = _revisions(_finished(pki, signer_identity))
    assert len(states) >= 5  # the document, fields, certification, two signatures, completion
    for number, state in enumerate(states):
        assert state.startswith(b"%PDF-1.7"), number
        root = PdfFileReader(io.BytesIO(state)).root
        version = str(root.get("/Version", "/1.7")).lstrip("/")
        assert version == "1.7", (number, version)
        part = _PART.search(root["/Metadata"].data)
        assert part is not None and part.group(1) == b"2", number
        for prefix, value in root.get("/Extensions", {}).items():
            entries = value if isinstance(value, list) else [value]
            assert all(str(e.get("/BaseVersion")) != "/2.0" for e in entries), (number, prefix)
