"""The « extrait du registre des délibérations » of Loison-sous-Lens' real deliberation (PDF/A-2b)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from convsign.pdf.extract import ExtractSpec, Vote, render_extract, vote_text, year_in_words

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
LOISON = ExtractSpec(
    authority_heading="Ville de Loison-sous-Lens",
    district="Arrondissement de Lens",
    council="conseil municipal",
    place="Loison-sous-Lens",
    session_date=date(2022, 12, 13),
    convocation_date=date(2022, 12, 5),
    president="Monsieur Daniel KRUSZKA, Maire",
    members_in_office=29,
    members_present=20,
    members_represented=0,
    secretary="Madame Khadija LANNABI",
    rapporteur="Monsieur David GUIDE",
    subject="Signature de la Convention Territoriale Globale avec la Caisse d'Allocations Familiales",
    vote=Vote(unanimous=True),
    decision="D'autoriser Monsieur le Maire à signer la Convention Territoriale Globale avec la Caisse "
    "d'Allocations Familiales ainsi que tout document relatif à cette affaire.",
    signatory="Le Maire, Daniel KRUSZKA",
    number="del-131222-330",
    actes_identifier="062-216205237-20221213-del-131222-330-DE",
    sent_on=date(2022, 12, 19),
    prefecture="Sous-Préfecture de Lens",
    published_on=date(2022, 12, 19),
    publication_mode="Affiché",
    executory_on=date(2022, 12, 19),
    made_on=date(2022, 12, 14),
)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_extract(LOISON, created_at=datetime(2022, 12, 19, 9, 0, tzinfo=UTC))


def _text(pdf: bytes) -> str:
    # Extraction keeps typst's typographic apostrophe; line breaks become spaces for the checks.
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("’", "'").split())


def test_text_holds_the_object_the_vote_and_the_actes_identifier(pdf: bytes) -> None:
    text = _text(pdf)
    assert "EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS" in text
    assert "Objet : Signature de la Convention Territoriale Globale avec la Caisse d'Allocations Familiales" in text
    assert "Vote à l'unanimité" in text
    assert "062-216205237-20221213-del-131222-330-DE" in text
    for fact in (
        "L'an deux mille vingt-deux, le 13 décembre",
        "5 décembre 2022",
        "Khadija LANNABI",
        "David GUIDE",
        "Membres en exercice : 29",
        "Membres présents : 20",
        "Transmis en Sous-Préfecture de Lens le 19 décembre 2022",
        "Certifié exécutoire le 19 décembre 2022",
    ):
        assert fact in text, fact


def test_declares_pdfa_2b(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    root = ET.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    found = {}
    for element in root.iter():
        for name in ("part", "conformance"):
            if element.tag == PDFAID + name and element.text:
                found[name] = element.text.strip()
            if PDFAID + name in element.attrib:
                found[name] = element.attrib[PDFAID + name]
    assert found == {"part": "2", "conformance": "B"}


def test_user_text_is_rendered_literally() -> None:
    tricky = ExtractSpec(
        **{
            **LOISON.__dict__,
            "subject": "Objet #strong[x] $y$ <label> @ref \\ ]",
            "actes_identifier": None,
            "vote": Vote(False, 18, 1, 1),
        }
    )
    text = _text(render_extract(tricky))
    assert "#strong[x] $y$ <label> @ref \\ ]" in text
    assert "Pour : 18 — Contre : 1 — Abstentions : 1" in text
    assert "@ctes" not in text  # no identifier yet: no acknowledgement line


@pytest.mark.parametrize(
    ("year", "words"),
    [
        (2022, "deux mille vingt-deux"),
        (2000, "deux mille"),
        (1999, "mille neuf cent quatre-vingt-dix-neuf"),
        (2071, "deux mille soixante-et-onze"),
        (2080, "deux mille quatre-vingts"),
        (2031, "deux mille trente-et-un"),
        (2200, "deux mille deux cents"),
        (2081, "deux mille quatre-vingt-un"),
    ],
)
def test_years_are_written_in_words(year: int, words: str) -> None:
    assert year_in_words(year) == words


def test_vote_text() -> None:
    assert vote_text(Vote(True)) == "Vote à l’unanimité"
