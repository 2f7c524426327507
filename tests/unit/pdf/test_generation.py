"""The convention PDF: content, PDF/A-2b declaration, bordereau fields, literal user text."""

from __future__ import annotations

import io
import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from convsign.pdf.errors import FieldError, PdfRejected, SpecError
from convsign.pdf.fields import FieldInfo, add_signature_fields, list_signature_fields
from convsign.pdf.generation import (
    ConventionSpec,
    GeneratedDocument,
    PartySpec,
    append_bordereau,
    as_typed,
    format_date_fr,
    format_period_fr,
    french_typography,
    render_bordereau,
    render_convention,
)
from tests.unit.pdf.corpus import bad_files
from tests.unit.pdf.corpus.ctg_demo import demo_spec

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
BORDEREAU_HEADING = "Bordereau de signature"


def squeeze(text: str) -> str:
    """Drop whitespace (no-break spaces included) and hyphens: line breaks and hyphenation
    split words in extracted text."""
    return re.sub(r"[\s\-\u00ad]", "", text)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def spec() -> ConventionSpec:
    return demo_spec()


@pytest.fixture(scope="module")
def generated(spec: ConventionSpec) -> GeneratedDocument:
    return render_convention(spec)


@pytest.fixture(scope="module")
def prepared(generated: GeneratedDocument) -> bytes:
    return add_signature_fields(generated.pdf, generated.placements)


def test_demo_has_38_signatories(spec: ConventionSpec) -> None:
    assert len(spec.parties) == 36
    assert len(spec.signatories) == 38


def test_text_names_every_party_and_objective(spec: ConventionSpec, generated) -> None:
    text = squeeze(" ".join(page_texts(generated.pdf)))
    for party in (spec.caf, spec.lead, *spec.parties):
        assert squeeze(as_typed(party.name)) in text, party.name
        assert party.siren in text
    for objective in spec.objectives:
        assert squeeze(as_typed(objective.text)) in text, objective.text
        assert squeeze(objective.domain_label) in text


def test_title_page_states_title_reference_and_period(spec: ConventionSpec, generated) -> None:
    first = squeeze(page_texts(generated.pdf)[0])
    assert squeeze(spec.title) in first
    assert squeeze(spec.reference) in first
    assert squeeze("du 1er janvier 2023 au 31 décembre 2026 (4 ans)") in first


def test_declares_pdfa_2b(generated: GeneratedDocument) -> None:
    reader = PdfReader(io.BytesIO(generated.pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    root = ET.fromstring(xmp)
    found = {}
    for element in root.iter():
        for name in ("part", "conformance"):
            if element.tag == PDFAID + name and element.text:
                found[name] = element.text.strip()
            if PDFAID + name in element.attrib:
                found[name] = element.attrib[PDFAID + name]
    assert found == {"part": "2", "conformance": "B"}


def test_one_unsigned_field_per_signatory_on_bordereau_pages(spec, prepared: bytes) -> None:
    fields = list_signature_fields(prepared)
    assert sorted(f.name for f in fields) == sorted(s.field_name for s in spec.signatories)
    assert not any(f.signed for f in fields)
    texts = page_texts(prepared)
    first_bordereau = next(i for i, t in enumerate(texts) if BORDEREAU_HEADING in t)
    organisations = {s.field_name: s.organisation for s in spec.signatories}
    for field in fields:
        assert field.page_index is not None and field.page_index >= first_bordereau
        # The box sits on the page that names its own signatory.
        expected = squeeze(as_typed(organisations[field.name]))
        assert expected in squeeze(texts[field.page_index]), field.name


def assert_boxes_inside_pages_and_apart(pdf: bytes, fields: tuple[FieldInfo, ...]) -> None:
    pages = PdfReader(io.BytesIO(pdf)).pages
    for field in fields:
        assert field.box is not None and field.page_index is not None
        media = pages[field.page_index].mediabox
        x1, y1, x2, y2 = field.box
        assert media.left <= x1 < x2 <= media.right and media.bottom <= y1 < y2 <= media.top
        assert x2 - x1 > 150 and y2 - y1 > 60  # room for a legible stamp
    for a, b in itertools.combinations(fields, 2):
        if a.page_index == b.page_index:
            assert a.box is not None and b.box is not None
            apart = a.box[2] <= b.box[0] or b.box[2] <= a.box[0]
            apart = apart or a.box[3] <= b.box[1] or b.box[3] <= a.box[1]
            assert apart, (a.name, b.name)


def test_boxes_inside_their_page_and_non_overlapping(prepared: bytes) -> None:
    assert_boxes_inside_pages_and_apart(prepared, list_signature_fields(prepared))


def test_several_boxes_per_bordereau_page(generated: GeneratedDocument) -> None:
    per_page = {p.page_index for p in generated.placements}
    assert len(per_page) <= 6  # 38 boxes: at least 6 or 7 a page


def test_user_text_with_typst_syntax_is_literal(spec: ConventionSpec) -> None:
    title = "CTG #set page(width: 1pt) [crochets] ] $x^2$ *gras* _it_ <l> @ref `c` \\ // fin"
    hostile = replace(
        spec,
        title=title,
        caf=PartySpec("Caf #1 ] [", "Caisse", spec.caf.siren),
        signatories=(replace(spec.signatories[0], office="Maire $adjoint$ #h(1fr)"),),
    )
    text = " ".join(page_texts(render_convention(hostile).pdf))
    for literal in (title, "Caf #1 ] [", "Maire $adjoint$ #h(1fr)"):
        assert squeeze(literal) in squeeze(text), literal


def test_control_characters_are_dropped(spec: ConventionSpec) -> None:
    document = render_bordereau(replace(spec, title="CTG\x00 de\x07 Lens\tLiévin"))
    assert "CTG de Lens Liévin" in page_texts(document.pdf)[0]


@pytest.mark.parametrize("text", ["Fête 🎉", "CTG 中文"])
def test_character_without_glyph_is_a_spec_error(spec: ConventionSpec, text: str) -> None:
    with pytest.raises(SpecError) as raised:
        render_bordereau(replace(spec, title=text))
    assert raised.value.code == "unsupported_character"
    assert raised.value.details["text"] in text


def test_bordereau_alone(spec: ConventionSpec) -> None:
    document = render_bordereau(spec)
    texts = page_texts(document.pdf)
    assert BORDEREAU_HEADING in texts[0]
    assert squeeze(spec.preamble[:40]) not in squeeze(" ".join(texts))
    assert len({p.field_name for p in document.placements}) == 38
    assert max(p.page_index for p in document.placements) == len(texts) - 1


def test_bad_field_name_refused_before_rendering(spec: ConventionSpec) -> None:
    dotted = replace(spec.signatories[0], field_name="maire.loison")
    with pytest.raises(FieldError) as raised:
        render_convention(replace(spec, signatories=(dotted,)))
    assert raised.value.code == "invalid_field_name"
    twice = (spec.signatories[0], spec.signatories[0])
    with pytest.raises(FieldError, match="duplicate_field_name"):
        render_convention(replace(spec, signatories=twice))


def test_no_signatory_refused(spec: ConventionSpec) -> None:
    with pytest.raises(SpecError, match="no_signatories"):
        render_bordereau(replace(spec, signatories=()))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 1, 1), "1er janvier 2023"),
        (date(2026, 12, 31), "31 décembre 2026"),
        (date(2022, 12, 13), "13 décembre 2022"),
        (date(2024, 8, 2), "2 août 2024"),
    ],
)
def test_format_date_fr(day: date, expected: str) -> None:
    assert format_date_fr(day) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2023, 1, 1), date(2026, 12, 31), "du 1er janvier 2023 au 31 décembre 2026 (4 ans)"),
        (date(2027, 1, 1), date(2027, 12, 31), "du 1er janvier 2027 au 31 décembre 2027 (1 an)"),
        (date(2023, 7, 1), date(2024, 12, 31), "du 1er juillet 2023 au 31 décembre 2024 (18 mois)"),
        (date(2023, 1, 10), date(2023, 1, 20), "du 10 janvier 2023 au 20 janvier 2023 (11 jours)"),
    ],
)
def test_format_period_fr(start: date, end: date, expected: str) -> None:
    assert format_period_fr(start, end) == expected


def test_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(SpecError) as raised:
        format_period_fr(date(2026, 1, 1), date(2025, 1, 1))
    assert raised.value.code == "invalid_period"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("l'enfance", "l’enfance"),
        ('une "Halte répit familles".', "une «\u202fHalte répit familles\u202f»."),
        (
            "enjeux : offre ; besoins ! vraiment ?",
            "enjeux\u00a0: offre\u202f; besoins\u202f! vraiment\u202f?",
        ),
        ("10:30 et https://caf.fr/a?b", "10:30 et https://caf.fr/a?b"),
        ("« déjà »", "«\u202fdéjà\u202f»"),
    ],
)
def test_french_typography(raw: str, expected: str) -> None:
    assert french_typography(raw) == expected


@pytest.fixture(scope="module")
def upload() -> bytes:
    return bad_files.typst_pdf(30)


def test_bordereau_appended_to_an_uploaded_pdf(spec: ConventionSpec, upload: bytes) -> None:
    document = append_bordereau(upload, spec)
    texts = page_texts(document.pdf)
    assert [t.strip() for t in texts[:30]] == [t.strip() for t in page_texts(upload)]
    assert BORDEREAU_HEADING in texts[30]
    assert min(p.page_index for p in document.placements) == 30
    assert max(p.page_index for p in document.placements) == len(texts) - 1
    prepared = add_signature_fields(document.pdf, document.placements)
    fields = list_signature_fields(prepared)
    assert sorted(f.name for f in fields) == sorted(s.field_name for s in spec.signatories)
    assert not any(f.signed for f in fields)
    assert all(f.page_index is not None and f.page_index >= 30 for f in fields)
    assert_boxes_inside_pages_and_apart(prepared, fields)


@pytest.mark.parametrize("builder", [bad_files.truncated, lambda: b"%PDF-1.7 nothing else"])
def test_unreadable_upload_is_rejected(spec: ConventionSpec, builder) -> None:
    with pytest.raises(PdfRejected) as raised:
        append_bordereau(builder(), spec)
    assert raised.value.code == "damaged"
