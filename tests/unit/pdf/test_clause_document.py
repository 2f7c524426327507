"""The convention made of clauses: the markup subset, the full demo CTG, hostile and huge clauses."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from convsign.pdf import markup
from convsign.pdf.generation import ArticleSpec, ConventionSpec, GeneratedDocument, render_convention
from tests.unit.pdf.corpus.ctg_demo import HOLDERS, demo_spec


def squeeze(text: str) -> str:
    return re.sub(r"[\s\-\u00ad]", "", text)


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def spec() -> ConventionSpec:
    return demo_spec()


@pytest.fixture(scope="module")
def document(spec: ConventionSpec) -> GeneratedDocument:
    return render_convention(spec)


# The markup subset ---------------------------------------------------------------------------


def test_paragraphs_lists_and_emphasis() -> None:
    blocks = markup.parse("Un *mot* et **deux**\nsur deux lignes.\n\n- premier\n- _second_\n\n1. un\n2. deux")
    assert blocks[0] == {"kind": "par", "spans": [
        {"text": "Un ", "style": "plain"}, {"text": "mot", "style": "emph"}, {"text": " et ", "style": "plain"},
        {"text": "deux", "style": "strong"}, {"text": " sur deux lignes.", "style": "plain"}]}
    assert blocks[1]["kind"] == "list" and not blocks[1]["numbered"]
    assert blocks[1]["items"] == [[{"text": "premier", "style": "plain"}], [{"text": "second", "style": "emph"}]]
    assert blocks[2]["numbered"] and len(blocks[2]["items"]) == 2


@pytest.mark.parametrize("raw", ["#set text(red)", "a * b * c", "2*3 = 6", "snake_case_name", "<b>x</b>",
                                 "$x^2$ [lien](http://x) `code` \\ // # = titre", "{inconnu}", "**pas fermé"])
def test_unknown_markup_is_kept_as_typed(raw: str) -> None:
    blocks = markup.parse(raw, {"caf": "CAF"})
    assert markup.plain_text(blocks) == raw


def test_values_fill_known_names_and_are_never_parsed() -> None:
    blocks = markup.parse("Entre {caf} et {autre}.", {"caf": "*Caf* #1"})
    assert blocks[0]["spans"] == [{"text": "Entre *Caf* #1 et {autre}.", "style": "plain"}]


def test_a_block_line_is_replaced_by_its_block() -> None:
    inserted = [{"kind": "par", "spans": [{"text": "Objectifs", "style": "strong"}]}]
    blocks = markup.parse("Avant :\n\n{objectifs}\n\nAprès.", blocks={"objectifs": inserted})
    assert [markup.plain_text([b]) for b in blocks] == ["Avant :", "Objectifs", "Après."]


# The demo CTG ---------------------------------------------------------------------------------


def test_demo_ctg_is_a_full_convention_of_more_than_ten_pages(document: GeneratedDocument) -> None:
    pages = texts(document.pdf)
    assert len(pages) > 10
    whole = squeeze(" ".join(pages))
    for heading in ("Entre les soussignés", "Visas", "Préambule", "Il a été convenu ce qui suit",
                    "Annexe 1 — Les communes membres", "Annexe 2 — Plan d’action",
                    "Annexe 3 — Synthèse du diagnostic partagé", "Annexe 4 — Bordereau de signature"):
        assert squeeze(heading) in whole, heading
    assert squeeze("Fait à Liévin, à la date de la dernière signature électronique") in whole
    assert "illustratif" in whole


def test_every_article_in_order(spec: ConventionSpec, document: GeneratedDocument) -> None:
    whole = squeeze(" ".join(texts(document.pdf)))
    positions = [whole.index(squeeze(f"— {a.title}")) for a in spec.articles]
    assert positions == sorted(positions) and len(positions) == 13


def test_counts_are_communes_only(spec: ConventionSpec, document: GeneratedDocument) -> None:
    pages = texts(document.pdf)
    assert squeeze("et ses 36 communes membres") in squeeze(pages[0])
    whole = squeeze(" ".join(pages))
    assert squeeze("de ses 36 communes membres, dont la liste") in whole
    assert squeeze("36 communes, 241 934 habitants") in whole
    for party in spec.parties:
        assert f"{party.insee}" in whole


def test_signature_blocks_name_holders_and_never_a_placeholder(document: GeneratedDocument) -> None:
    whole = " ".join(texts(document.pdf))
    for name in HOLDERS.values():
        assert name in whole
    assert "à désigner" not in whole and "Signataire :" not in whole


def test_first_day_is_a_superscript_ordinal(document: GeneratedDocument) -> None:
    """« 1er » is drawn with a smaller « er » off the « 1 »'s baseline."""
    reader = PdfReader(io.BytesIO(document.pdf))
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text, tm[5] * cm[3] + cm[5], size * tm[3]))

    reader.pages[0].extract_text(visitor_text=visit)
    ones = [i for i, (t, _y, _s) in enumerate(found) if t.endswith("1")]
    raised = [found[i + 1] for i in ones if i + 1 < len(found) and found[i + 1][0].startswith("er")]
    assert raised, found
    for one, er in zip([found[i] for i in ones if i + 1 < len(found) and found[i + 1][0].startswith("er")], raised,
                       strict=True):
        assert abs(er[2]) < abs(one[2]) and er[1] != one[1], (one, er)


def test_still_pdfa_2b_and_tagged(document: GeneratedDocument) -> None:
    reader = PdfReader(io.BytesIO(document.pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    metadata = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in metadata and "<pdfaid:conformance>B</pdfaid:conformance>" in metadata


# Hostile and huge clauses -------------------------------------------------------------------------


def test_typst_syntax_in_articles_is_printed_as_typed(spec: ConventionSpec) -> None:
    hostile = ArticleSpec("#pagebreak() ] [", '#set page(width: 1pt) $x$ <l> @ref #"quote" \\ ` = titre')
    pdf = render_convention(replace(spec, articles=(hostile,), visas=("Vu #emph[rien] ;",))).pdf
    whole = squeeze(" ".join(texts(pdf)))
    for literal in ("#pagebreak() ] [", "#set page(width: 1pt) $x$ <l> @ref #", "Vu #emph[rien]"):
        assert squeeze(literal) in whole, literal


@pytest.mark.parametrize("shape", ["200 articles", "one article of 100,000 characters"])
def test_huge_models_still_render(spec: ConventionSpec, shape: str) -> None:
    if shape == "200 articles":
        articles = tuple(ArticleSpec(f"Article d'essai {i}", "Un texte *court*.\n\n- un\n- deux") for i in range(200))
    else:
        articles = (ArticleSpec("Très long", ("Quarante caractères de texte ordinaire. " * 25 + "\n\n") * 100),)
        assert len(articles[0].text) >= 100_000
    generated = render_convention(replace(spec, title=f"{spec.title} {shape}", articles=articles))
    assert len(generated.placements) == len(spec.signatories)
    whole = squeeze(" ".join(texts(generated.pdf)))
    assert squeeze(f"— {articles[-1].title}") in whole
