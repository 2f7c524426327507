"""The « extrait du registre des délibérations »: a council deliberation as a PDF/A-2b page.

Laid out like the real extracts communes send to the prefecture (Loison-sous-Lens, 13 December
2022): the authority's heading, the session, attendance, the object, the vote, the decision, then
the transmission (@ctes identifier) and the « certifié exécutoire » mention. Data reach the typst
template only as JSON through `sys.inputs`, so user text is always rendered literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import typst

from convsign.pdf.errors import RenderFailed
from convsign.pdf.generation import as_typed, format_date_fr
from convsign.pdf.typst_pdf import compile_pdfa, compiler

_UNITS = (
    "",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
)
_TENS = ("", "", "vingt", "trente", "quarante", "cinquante", "soixante")


@dataclass(frozen=True)
class Vote:
    """How the council voted: unanimously, or with counts."""

    unanimous: bool
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None


@dataclass(frozen=True)
class ExtractSpec:
    """Everything the extract states; names and titles arrive already in French."""

    authority_heading: str  # « VILLE DE LOISON-SOUS-LENS »
    council: str  # « conseil municipal » or « conseil communautaire »
    place: str  # « Loison-sous-Lens »
    session_date: date
    convocation_date: date | None
    president: str  # « Monsieur Daniel KRUSZKA, Maire »
    members_in_office: int
    members_present: int
    members_represented: int
    secretary: str
    rapporteur: str
    subject: str
    vote: Vote
    decision: str
    signatory: str  # « Le Maire, Daniel KRUSZKA »
    number: str = ""
    district: str | None = None  # « ARRONDISSEMENT DE LENS »
    actes_identifier: str | None = None
    sent_on: date | None = None
    prefecture: str | None = None  # « Sous-Préfecture de Lens »
    published_on: date | None = None
    publication_mode: str | None = None
    executory_on: date | None = None
    made_on: date | None = None


def year_in_words(year: int) -> str:
    """« Deux Mil Vingt Deux » as acts write it: 2022 → « deux mille vingt-deux » (1000–2999)."""
    thousands, rest = divmod(year, 1000)
    head = "mille" if thousands == 1 else f"{_UNITS[thousands]} mille"
    return head if rest == 0 else f"{head} {_below_thousand(rest)}"


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    head = "" if hundreds == 0 else ("cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent")
    if rest == 0:
        return head + ("s" if hundreds > 1 else "")
    return f"{head} {_below_hundred(rest)}".strip()


def _below_hundred(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix, quatre-vingt-dix
        base = "soixante" if tens == 7 else "quatre-vingt"
        return f"{base}-{'et-' if n == 71 else ''}{_UNITS[10 + unit]}"
    base = "quatre-vingt" if tens == 8 else _TENS[tens]
    if unit == 0:
        return base + ("s" if tens == 8 else "")
    return f"{base}-{'et-' if unit == 1 and tens != 8 else ''}{_UNITS[unit]}"


def vote_text(vote: Vote) -> str:
    """« Vote à l'unanimité », or the counts."""
    if vote.unanimous:
        return "Vote à l’unanimité"
    return f"Pour : {vote.votes_for or 0} — Contre : {vote.votes_against or 0} — Abstentions : {vote.abstentions or 0}"


def render_extract(spec: ExtractSpec, *, created_at: datetime | None = None) -> bytes:
    """The extract as PDF/A-2b bytes; `created_at` (aware) fixes the document dates."""
    try:
        return compile_pdfa(compiler("extrait.typ", extract=_payload(spec)), created_at)
    except typst.TypstError as exc:
        raise RenderFailed(message=exc.message) from exc


def _date(day: date | None) -> str | None:
    return None if day is None else format_date_fr(day)


def _payload(spec: ExtractSpec) -> dict[str, Any]:
    fr = as_typed  # names, subjects, titles typed by people: as typed; the app's own wording is already French
    return {
        "heading": fr(spec.authority_heading),
        "district": None if spec.district is None else fr(spec.district),
        "council": fr(spec.council),
        "place": fr(spec.place),
        "opening": f"L’an {year_in_words(spec.session_date.year)}, le {format_date_fr(spec.session_date)[:-5]}",
        "convocation": _date(spec.convocation_date),
        "president": fr(spec.president),
        "in_office": spec.members_in_office,
        "present": spec.members_present,
        "represented": spec.members_represented,
        "secretary": fr(spec.secretary),
        "rapporteur": fr(spec.rapporteur),
        "subject": fr(spec.subject),
        "vote": vote_text(spec.vote),
        "decision": fr(spec.decision),
        "signatory": fr(spec.signatory),
        "number": spec.number,
        "actes": spec.actes_identifier,
        "sent_on": _date(spec.sent_on),
        "prefecture": None if spec.prefecture is None else fr(spec.prefecture),
        "published_on": _date(spec.published_on),
        "publication_mode": None if spec.publication_mode is None else fr(spec.publication_mode),
        "executory_on": _date(spec.executory_on),
        "made_on": _date(spec.made_on),
    }
