"""PAdES signing with the internal PKI: certification, approval signatures, B-LTA, the stamp."""

from __future__ import annotations

import asyncio
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from convsign.pdf import signing
from convsign.pki.authority import Pki
from convsign.pki.crl import build_crl, build_root_crl
from convsign.pki.tsa import TimestampAuthority

PAGE = (0, 0, 595, 842)
BODY_TEXT = b"Convention Territoriale Globale 2027-2030"
FIELDS = {
    "Signature_CAF": (50, 620, 290, 700),
    "Signature_EPCI": (305, 620, 545, 700),
    "Signature_Loison": (50, 520, 290, 600),
}
SIGNERS = {
    "Signature_CAF": (
        "Hélène N’Diaye",
        "Directrice de la CAF du Pas-de-Calais",
        "CAF du Pas-de-Calais",
    ),
    "Signature_EPCI": ("Sylvain Robert", "Président de la CALL", "CA de Lens-Liévin"),
    "Signature_Loison": ("Jean-Pierre Dupré", "Maire de Loison-sous-Lens", "Commune de Loison"),
}


def base_pdf() -> bytes:
    """One A4 page with a little (uncompressed) text and three empty signature fields."""
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
            }
        )
    )
    content = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 50 780 Td (" + BODY_TEXT + b") Tj ET"))
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
    )
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(map(generic.NumberObject, PAGE)),
            generic.pdf_name("/Resources"): resources,
            generic.pdf_name("/Contents"): content,
        }
    )
    writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return add_fields(out.getvalue())


def add_fields(pdf: bytes) -> bytes:
    """All visible fields in one update, before any signature (as the generation module does)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    for name, box in FIELDS.items():
        fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=0, box=box))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_lines(name: str, office: str, organisation: str) -> list[str]:
    return ["Signé électroniquement par", name, office, organisation, "le 13 décembre 2027"]


@dataclass(frozen=True)
class Signed:
    """The document after certification and three approval signatures, with its revisions."""

    revisions: tuple[bytes, ...]
    crls: tuple[bytes, ...]

    @property
    def final(self) -> bytes:
        return self.revisions[-1]


def crls_for(pki: Pki) -> tuple[bytes, ...]:
    now = datetime.now(UTC)
    return (
        build_crl(pki, [], now, now + timedelta(days=7)),
        build_root_crl(pki, now, now + timedelta(days=30)),
    )


def context(pki: Pki, crls: tuple[bytes, ...]) -> ValidationContext:
    """Offline validation context: only the internal root and the CRLs."""
    root = asn1_x509.Certificate.load(pki.root.public_bytes(serialization.Encoding.DER))
    return ValidationContext(trust_roots=[root], crls=list(crls), allow_fetching=False, revocation_mode="hard-fail")


@pytest.fixture(scope="module")
def signed(pki: Pki, timestamp_authority: TimestampAuthority, signer_identity) -> Signed:
    timestamper = timestamp_authority.timestamper()
    revisions = [base_pdf()]
    revisions.append(signing.certify(revisions[-1], pki.seal_identity(), timestamper))
    for field_name, (name, office, organisation) in SIGNERS.items():
        identity = signer_identity(name, office, organisation)
        revisions.append(
            signing.sign_field(
                revisions[-1],
                field_name,
                identity,
                timestamper,
                reason="Approbation de la convention",
                location="Lens",
                signer_name=name,
                stamp_lines=stamp_lines(name, office, organisation),
            )
        )
    return Signed(tuple(revisions), crls_for(pki))


def test_each_signature_is_an_incremental_update(signed: Signed) -> None:
    for earlier, later in zip(signed.revisions, signed.revisions[1:], strict=False):
        assert len(later) > len(earlier)
        assert later[: len(earlier)] == earlier


def test_certification_then_three_signatures_validate(pki: Pki, signed: Signed) -> None:
    sigs = PdfFileReader(BytesIO(signed.final)).embedded_signatures
    assert [s.field_name for s in sigs] == [signing.CERTIFICATION_FIELD, *SIGNERS]
    for index, sig in enumerate(sigs):
        status = validate_pdf_signature(sig, context(pki, signed.crls))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.timestamp_validity is not None and status.timestamp_validity.valid
        assert status.docmdp_ok
        last = index == len(sigs) - 1
        expected = SignatureCoverageLevel.ENTIRE_FILE if last else SignatureCoverageLevel.ENTIRE_REVISION
        assert status.coverage == expected
        assert status.modification_level <= ModificationLevel.FORM_FILLING


def test_certification_allows_form_filling(signed: Signed) -> None:
    certification = PdfFileReader(BytesIO(signed.final)).embedded_signatures[0]
    assert certification.docmdp_level == fields.MDPPerm.FILL_FORMS


def test_flipped_byte_in_signed_range_breaks_integrity(pki: Pki, signed: Signed) -> None:
    offset = signed.final.index(BODY_TEXT)
    tampered = bytearray(signed.final)
    tampered[offset] ^= 0x01  # 'C' → 'B': the file still parses, the digest no longer matches
    sig = PdfFileReader(BytesIO(bytes(tampered))).embedded_signatures[-1]
    status = validate_pdf_signature(sig, context(pki, signed.crls), skip_diff=True)
    assert not status.intact
    assert not status.bottom_line


def test_mistyped_field_name_raises(signed: Signed, timestamp_authority, signer_identity) -> None:
    with pytest.raises(signing.SignatureFieldNotFound) as caught:
        signing.sign_field(
            signed.revisions[1],
            "Signature_Lois0n",
            signer_identity(),
            timestamp_authority.timestamper(),
            reason="r",
            location="l",
            signer_name="n",
            stamp_lines=["x"],
        )
    assert caught.value.code == "signature_field_not_found"
    assert caught.value.details == {"field_name": "Signature_Lois0n"}


def test_signed_field_cannot_be_signed_again(signed: Signed, timestamp_authority, signer_identity) -> None:
    with pytest.raises(signing.SignatureFieldAlreadySigned):
        signing.sign_field(
            signed.final,
            "Signature_CAF",
            signer_identity(),
            timestamp_authority.timestamper(),
            reason="r",
            location="l",
            signer_name="n",
            stamp_lines=["x"],
        )


def test_certification_must_come_first(pki: Pki, signed: Signed, timestamp_authority) -> None:
    with pytest.raises(signing.CertificationNotFirst):
        signing.certify(signed.final, pki.seal_identity(), timestamp_authority.timestamper())


def test_stamp_text_outside_the_font_is_refused(signed: Signed, timestamp_authority, signer_identity) -> None:
    with pytest.raises(signing.StampTextUnsupported) as caught:
        signing.sign_field(
            signed.revisions[1],
            "Signature_CAF",
            signer_identity(),
            timestamp_authority.timestamper(),
            reason="r",
            location="l",
            signer_name="n",
            stamp_lines=["Signé par ☃"],
        )
    assert caught.value.details == {"characters": ["☃"]}


def test_rsa_signer_is_supported(pki: Pki, timestamp_authority, signer_identity) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    identity = signer_identity("Anne Martin", "Maire de Méricourt", "Commune de Méricourt", key=key)
    pdf = signing.sign_field(
        base_pdf(),
        "Signature_Loison",
        identity,
        timestamp_authority.timestamper(),
        reason="Approbation",
        location="Méricourt",
        signer_name="Anne Martin",
        stamp_lines=["Signé électroniquement par", "Anne Martin"],
    )
    sig = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]
    status = validate_pdf_signature(sig, context(pki, crls_for(pki)))
    assert status.bottom_line, status.pretty_print_details()


@pytest.fixture(scope="module")
def archived(signed: Signed, pki: Pki, timestamp_authority: TimestampAuthority) -> bytes:
    inputs = signing.ValidationInputs(trust_roots=pki.trust_roots(), crls=signed.crls)
    return signing.complete_to_lta(signed.final, timestamp_authority.timestamper(), inputs)


def test_lta_adds_dss_and_a_valid_document_timestamp(archived: bytes, signed: Signed, pki: Pki) -> None:
    assert archived[: len(signed.final)] == signed.final
    reader = PdfFileReader(BytesIO(archived))
    doc_ts = reader.embedded_signatures[-1]
    assert doc_ts.sig_object_type == "/DocTimeStamp"
    ts_status = validate_pdf_timestamp(doc_ts, context(pki, signed.crls))
    assert ts_status.intact and ts_status.valid and ts_status.trusted
    dss = DocumentSecurityStore.read_dss(reader)
    held = {c.sha256 for c in dss.load_certs()}
    for cert in (pki.root, pki.issuing, pki.tsa, pki.seal):
        der = cert.public_bytes(serialization.Encoding.DER)
        assert asn1_x509.Certificate.load(der).sha256 in held
    assert len(dss.crls) == 2


def test_lta_document_validates_from_its_own_dss(archived: bytes, pki: Pki) -> None:
    reader = PdfFileReader(BytesIO(archived))
    root = asn1_x509.Certificate.load(pki.root.public_bytes(serialization.Encoding.DER))
    dss = DocumentSecurityStore.read_dss(reader)
    # Only the root from outside; certificates and CRLs come from the document; "require" makes
    # a missing CRL fatal, so this proves the DSS is complete for every certificate in every path.
    vc = dss.as_validation_context({"trust_roots": [root], "allow_fetching": False, "revocation_mode": "require"})
    for sig in reader.embedded_regular_signatures:
        status = validate_pdf_signature(sig, vc)
        assert status.bottom_line, status.pretty_print_details()
        assert status.modification_level <= ModificationLevel.FORM_FILLING


@dataclass(frozen=True)
class Gray:
    """A rendered page in 8-bit grey levels (0 black, 255 white)."""

    width: int
    height: int
    stride: int
    data: bytes

    def __getitem__(self, xy: tuple[int, int]) -> int:
        x, y = xy
        return self.data[y * self.stride + x]

    def png(self) -> bytes:
        """A greyscale PNG of the page, to look at when the test fails (no Pillow needed)."""
        rows = b"".join(b"\x00" + self.data[y * self.stride : y * self.stride + self.width] for y in range(self.height))

        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = zlib.crc32(kind + body)
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 0, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def render(pdf: bytes, scale: float) -> Gray:
    """Page 1 with its form widgets' appearances, as pdfium (Chrome's engine) draws it."""
    document = pdfium.PdfDocument(pdf)
    document.init_forms()
    page = document[0]
    bitmap = page.render(scale=scale, may_draw_forms=True, grayscale=True)
    gray = Gray(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
    bitmap.close()
    page.close()
    document.close()
    return gray


def test_stamp_is_drawn_inside_its_field(signed: Signed, tmp_path: Path) -> None:
    scale = 2.0
    image = render(signed.final, scale)
    (tmp_path / "page.png").write_bytes(image.png())
    x1, y1, x2, y2 = FIELDS["Signature_CAF"]
    left, top, right, bottom = (int(v * scale) for v in (x1, PAGE[3] - y2, x2, PAGE[3] - y1))
    inside = [image[x, y] for x in range(left + 3, right - 3) for y in range(top + 3, bottom - 3)]
    assert sum(1 for p in inside if p < 128) > 300  # text is drawn inside the border
    # Nothing of this stamp spills out: a band around the field (beyond its border) is white.
    band = [
        image[x, y]
        for x in range(left - 15, right + 15)
        for y in (*range(top - 15, top - 2), *range(bottom + 2, bottom + 15))
    ]
    band += [
        image[x, y] for y in range(top, bottom) for x in (*range(left - 15, left - 2), *range(right + 2, right + 15))
    ]
    assert min(band) > 240


def _flattened_text(pdf: bytes) -> str:
    """Text of page 1 once its widget appearances are merged into the page (pdfium), via pypdf."""
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    assert pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) == pdfium_c.FLATTEN_SUCCESS
    page.close()
    out = BytesIO()
    document.save(out)
    document.close()
    return PdfReader(BytesIO(out.getvalue())).pages[0].extract_text()


def test_stamp_text_keeps_accents_and_apostrophe(signed: Signed) -> None:
    text = _flattened_text(signed.final)
    assert "Hélène N’Diaye" in text
    assert "Signé électroniquement par" in text
    assert "Maire de Loison-sous-Lens" in text


@pytest.fixture
def nss_db(tmp_path: Path, pki: Pki) -> Iterator[Path]:
    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        pytest.skip("poppler-utils (pdfsig) and libnss3-tools (certutil) are not installed")
    database = tmp_path / "nss"
    database.mkdir()
    root_pem = tmp_path / "root.pem"
    root_pem.write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    subprocess.run(["certutil", "-N", "-d", f"sql:{database}", "--empty-password"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{database}",
            "-n",
            "root",
            "-t",
            "CT,C,C",
            "-i",
            str(root_pem),
        ],
        check=True,
    )
    yield database


def test_pdfsig_accepts_the_archived_document(archived: bytes, nss_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "convention.pdf"
    path.write_bytes(archived)
    result = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_db}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = result.stdout
    signatures = report.count("Signature #")
    assert signatures == 5, report  # certification, three approvals, document timestamp
    approvals = 4
    assert report.count("Signature is Valid.") >= approvals, report
    assert report.count("Certificate is Trusted.") >= approvals, report
    assert "Signature is Invalid" not in report


@pytest.mark.parametrize(
    "key",
    [ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP521R1())],
    ids=["p256", "p521"],
)
def test_dry_run_reserves_enough_for_any_real_signature(key, signer_identity) -> None:
    signer = signing.KeptKeySigner(signer_identity(key=key))
    placeholder = asyncio.run(signer.async_sign_raw(b"x", "sha256", dry_run=True))
    assert not any(placeholder)
    longest = max(len(asyncio.run(signer.async_sign_raw(bytes([i]), "sha256"))) for i in range(64))
    assert longest <= len(placeholder) <= longest + 2
