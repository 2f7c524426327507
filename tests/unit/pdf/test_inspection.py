"""Upload inspection: each hostile or unusable file gets its code, a good file passes."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from convsign.pdf.errors import PdfRejected
from convsign.pdf.generation import render_convention
from convsign.pdf.inspection import inspect_pdf
from tests.unit.pdf.corpus import bad_files
from tests.unit.pdf.corpus.ctg_demo import demo_spec

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 500


@pytest.fixture(scope="module")
def good() -> bytes:
    return bad_files.typst_pdf(30)


def rejection(data: bytes, **limits: int) -> str:
    kwargs = {"max_bytes": MAX_BYTES, "max_pages": MAX_PAGES, **limits}
    with pytest.raises(PdfRejected) as raised:
        inspect_pdf(data, **kwargs)
    return raised.value.code


def test_good_30_page_pdf_passes(good: bytes) -> None:
    info = inspect_pdf(good, max_bytes=MAX_BYTES, max_pages=MAX_PAGES)
    assert info.page_count == 30
    assert info.pdf_version.startswith("1.")
    assert not info.has_signatures
    assert info.signature_field_count == 0


def test_generated_convention_passes_and_declares_pdfa() -> None:
    info = inspect_pdf(render_convention(demo_spec()).pdf, max_bytes=MAX_BYTES, max_pages=50)
    assert info.pdfa == "2B"
    assert not info.has_signatures


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "not a PDF": (lambda: b"Bonjour, ceci est un texte.", "not_pdf"),
    "HTML named .pdf": (lambda: b"<!DOCTYPE html><html></html>", "not_pdf"),
    "empty": (lambda: b"", "empty"),
    "truncated": (bad_files.truncated, "damaged"),
    "header only": (lambda: b"%PDF-1.7\n", "damaged"),
    "broken xref": (bad_files.broken_xref, "damaged"),
    "page tree loop": (bad_files.page_tree_loop, "damaged"),
    "reference chain loop": (bad_files.reference_chain_loop, "damaged"),
    "JavaScript OpenAction": (bad_files.javascript_open_action, "active_content"),
    "Launch action": (bad_files.launch_link, "active_content"),
    "sound annotation": (
        lambda: bad_files.simple_pdf(page_extra=b"/Annots [<< /Type /Annot /Subtype /Sound /Rect [0 0 9 9] >>] "),
        "active_content",
    ),
    "1,000 pages": (lambda: bad_files.simple_pdf(pages=1000), "too_many_pages"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_rejected_with_code(case: str) -> None:
    builder, code = CASES[case]
    assert rejection(builder()) == code


def test_encrypted(good: bytes) -> None:
    assert rejection(bad_files.encrypted(good)) == "encrypted"


def test_already_signed(good: bytes) -> None:
    signed = bad_files.signed(good)
    assert rejection(signed) == "already_signed"
    info = inspect_pdf(signed, max_bytes=MAX_BYTES, max_pages=MAX_PAGES, allow_signed=True)
    assert info.has_signatures and info.signature_field_count == 1


def test_docmdp_permissions_count_as_signed() -> None:
    perms = b"/Perms << /DocMDP << /Type /Sig >> >> "
    assert rejection(bad_files.simple_pdf(catalog_extra=perms)) == "already_signed"


def test_size_is_checked_before_parsing(good: bytes) -> None:
    assert rejection(good, max_bytes=len(good) - 1) == "too_large"
    # Garbage beyond the limit is refused for its size alone, not parsed.
    assert rejection(b"%PDF-" + bytes(2048), max_bytes=1024) == "too_large"


def test_decompression_bomb() -> None:
    bomb = bad_files.decompression_bomb(300)
    assert len(bomb) < 400 * 1024
    assert rejection(bomb) == "decode_limit"


def test_bomb_behind_an_indirect_filter_name() -> None:
    pdf = bad_files.raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            bad_files.stream(bad_files.deflated_zeros(300), b"/Filter [5 0 R] "),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>",
            b"/FlateDecode",
        ]
    )
    # pyHanko cannot decode through an indirect filter name: refused, never skipped.
    assert rejection(pdf) == "damaged"


def test_indirect_action_type_is_still_seen() -> None:
    pdf = bad_files.raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S 5 0 R /F (x) >> >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            bad_files.stream(bad_files.CONTENT),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>",
            b"/Launch",
        ]
    )
    assert rejection(pdf) == "active_content"


def test_script_inside_an_embedded_file() -> None:
    attached = bad_files.stream(b"1 0 obj << /S /JavaScript /JS (x) >> endobj")
    filespec = b"<< /Type /Filespec /EF << /F 5 0 R >> >>"
    names = b"/Names << /EmbeddedFiles << /Names [(a.pdf) %s] >> >> " % filespec
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R %s>>" % names,
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        bad_files.stream(bad_files.CONTENT),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>",
        attached.replace(b"<< ", b"<< /Type /EmbeddedFile ", 1),
    ]
    assert rejection(bad_files.raw_pdf(objects)) == "active_content"


def test_corrupted_bytes_only_ever_raise_pdf_rejected(good: bytes) -> None:
    """Whatever a random corruption breaks, the caller sees PdfRejected or a PdfInfo."""
    rng = random.Random(20221213)
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            inspect_pdf(bytes(data), max_bytes=MAX_BYTES, max_pages=MAX_PAGES)
        except PdfRejected as rejected:
            assert rejected.code in PdfRejected.CODES


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown PdfRejected code"):
        PdfRejected("nope")
