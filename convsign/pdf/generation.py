"""Generate the convention PDF (PDF/A-2b) and its bordereau de signature with typst.

The document is described by frozen dataclasses whose labels arrive already in French.
Data reach the typst template only as JSON through `sys.inputs`, never as markup, so user
text is always rendered literally. Signature field positions are read back from typst.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import typst
from pypdf import PdfReader, PdfWriter

from convsign.pdf import markup
from convsign.pdf.errors import PdfRejected, RenderFailed, SpecError
from convsign.pdf.fields import FieldPlacement, check_field_names
from convsign.pdf.typst_pdf import compile_pdfa, compiler

_MONTHS = (
    *("janvier", "février", "mars", "avril", "mai", "juin"),
    *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
)
_NARROW_NBSP = "\u202f"
_STRAIGHT_QUOTES = re.compile(r'"\s*([^"]*?)\s*"')
_SPACE_BEFORE_HIGH = re.compile(r"[ \u00a0\u202f]+([;!?»])")
_SPACE_BEFORE_COLON = re.compile(r"[ \u202f]+:")
_SPACE_AFTER_GUILLEMET = re.compile(r"«[ \u00a0\u202f]+")
# C0/C1 control characters have no glyph, and PDF/A refuses text it cannot display.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MISSING_GLYPH = re.compile(r"text `\"(.+?)\"` could not be displayed")


@dataclass(frozen=True)
class PartySpec:
    """A party to the convention; `insee` only for a commune."""

    name: str
    kind_label: str
    siren: str
    insee: str | None = None
    population: int | None = None
    # « dûment habilité par délibération de son conseil municipal »: how its signatory is empowered.
    capacity: str | None = None


@dataclass(frozen=True)
class ArticleSpec:
    """One numbered article: a title and a text in the clause markup (see `convsign.pdf.markup`)."""

    title: str
    text: str


@dataclass(frozen=True)
class ActionSpec:
    """One line of the action plan: objective × action × lead party × calendar."""

    objective: str
    action: str
    lead: str
    calendar: str


@dataclass(frozen=True)
class ObjectiveSpec:
    """One objective, under its domain (petite enfance, jeunesse, logement…)."""

    domain_label: str
    text: str


@dataclass(frozen=True)
class SignatorySpec:
    """One signature slot: its field name, the office and organisation, its stage (1, 2…)."""

    field_name: str
    office: str
    organisation: str
    stage: int
    holder_name: str | None = None


@dataclass(frozen=True)
class StageSpec:
    """The heading of one stage of the bordereau (default: « Étape n »)."""

    number: int
    label: str


@dataclass(frozen=True)
class ConventionSpec:
    """Everything the convention document says; `parties` are the member communes only.

    `partners` are the other parties (Département, MSA…) besides the lead and the CAF. With
    `articles`, the body is the preamble, the visas and the numbered articles, then « Fait à »
    and the annexes; without, the older summary layout (objectives, period, steering committee).
    """

    title: str
    reference: str
    kind_label: str
    lead: PartySpec
    caf: PartySpec
    parties: tuple[PartySpec, ...]
    start: date
    end: date
    preamble: str
    objectives: tuple[ObjectiveSpec, ...]
    steering_committee: str
    signatories: tuple[SignatorySpec, ...]
    version_note: str | None = None
    stages: tuple[StageSpec, ...] = ()
    parties_note: str | None = None
    partners: tuple[PartySpec, ...] = ()
    visas: tuple[str, ...] = ()
    articles: tuple[ArticleSpec, ...] = ()
    actions: tuple[ActionSpec, ...] = ()
    diagnostic: str = ""
    signing_place: str | None = None


@dataclass(frozen=True)
class GeneratedDocument:
    """A generated PDF and where each signature field goes in it."""

    pdf: bytes
    placements: tuple[FieldPlacement, ...]


def format_date_fr(day: date) -> str:
    """Write a date the French way: « 1er janvier 2023 », « 31 décembre 2026 »."""
    ordinal = "1er" if day.day == 1 else str(day.day)
    return f"{ordinal} {_MONTHS[day.month - 1]} {day.year}"


def format_number_fr(number: int) -> str:
    """« 241 934 »: thousands grouped by a narrow no-break space."""
    return f"{number:,}".replace(",", _NARROW_NBSP)


def format_period_fr(start: date, end: date) -> str:
    """« du 1er janvier 2023 au 31 décembre 2026 (4 ans) »; `end` is the last day included."""
    if end < start:
        raise SpecError("invalid_period", start=start.isoformat(), end=end.isoformat())
    return f"du {format_date_fr(start)} au {format_date_fr(end)} ({_duration_fr(start, end)})"


def _duration_fr(start: date, end: date) -> str:
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day != start.day or months == 0:
        days = (after - start).days
        return "1 jour" if days == 1 else f"{days} jours"
    if months % 12 == 0:
        return "1 an" if months == 12 else f"{months // 12} ans"
    return f"{months} mois"


def as_typed(text: str) -> str:
    """User text exactly as typed, quotes and apostrophes included: only control characters are
    dropped (tabs become spaces). What a coordinator types is what the parties sign."""
    return _CONTROLS.sub("", text).replace("\t", " ")


def french_typography(text: str) -> str:
    """Apply French typography to the app's own wording: ’, « », and no-break spaces before ; : ! ? ».

    Never to what a person typed (see `as_typed`): turning their straight quotes into « » changed
    the signed text, and garbled unpaired quotes.

    Control characters are dropped on the way (tabs and newlines become spaces).
    """
    text = _CONTROLS.sub("", text).replace("\t", " ").replace("'", "’")
    text = _STRAIGHT_QUOTES.sub(f"«{_NARROW_NBSP}\\1{_NARROW_NBSP}»", text)
    text = _SPACE_BEFORE_HIGH.sub(f"{_NARROW_NBSP}\\1", text)
    text = _SPACE_BEFORE_COLON.sub("\u00a0:", text)
    return _SPACE_AFTER_GUILLEMET.sub(f"«{_NARROW_NBSP}", text)


def render_convention(spec: ConventionSpec, *, created_at: datetime | None = None) -> GeneratedDocument:
    """Render the whole convention, bordereau included, as PDF/A-2b with its field placements.

    `created_at` (timezone-aware) fixes the document dates, for reproducible output.
    """
    return _render(spec, "convention", created_at)


def render_bordereau(spec: ConventionSpec, *, created_at: datetime | None = None) -> GeneratedDocument:
    """Render the bordereau de signature alone (PDF/A-2b), same layout as in the convention."""
    return _render(spec, "bordereau", created_at)


def append_bordereau(
    uploaded_pdf: bytes, spec: ConventionSpec, *, created_at: datetime | None = None
) -> GeneratedDocument:
    """Append the bordereau pages after an uploaded PDF (the CAF's own text).

    The result is not PDF/A: the uploaded file is taken as it is, and merging keeps its
    pages and form but not its conformance claims. Check the upload with
    `convsign.pdf.inspection.inspect_pdf` first; a file pypdf cannot read raises
    `PdfRejected('damaged')`.
    """
    bordereau = render_bordereau(spec, created_at=created_at)
    writer = _open_upload(uploaded_pdf)
    offset = len(writer.pages)
    writer.append(PdfReader(io.BytesIO(bordereau.pdf)))
    out = io.BytesIO()
    writer.write(out)
    placements = tuple(FieldPlacement(p.field_name, p.page_index + offset, p.box) for p in bordereau.placements)
    return GeneratedDocument(out.getvalue(), placements)


def _open_upload(uploaded_pdf: bytes) -> PdfWriter:
    try:
        reader = PdfReader(io.BytesIO(uploaded_pdf), strict=False)
        if reader.is_encrypted:
            raise PdfRejected("encrypted")
        return PdfWriter(clone_from=reader)
    except PdfRejected:
        raise
    except Exception as exc:  # pypdf raises many unrelated types on broken files
        raise PdfRejected("damaged", reason=type(exc).__name__) from exc


def _render(spec: ConventionSpec, mode: str, created_at: datetime | None) -> GeneratedDocument:
    check_field_names(s.field_name for s in spec.signatories)
    if not spec.signatories:
        raise SpecError("no_signatories")
    document = compiler("convention.typ", spec=_payload(spec, mode))
    try:
        pdf = compile_pdfa(document, created_at)
        markers = json.loads(document.query("<sigbox>", field="value"))
    except typst.TypstError as exc:
        raise _render_error(exc) from exc
    return GeneratedDocument(pdf, _placements(markers))


def _render_error(exc: typst.TypstError) -> Exception:
    """A character no embedded font has (emoji, CJK…) is the user's text, not a bug."""
    missing = _MISSING_GLYPH.search(exc.message)
    if "could not be displayed" in exc.message:
        return SpecError("unsupported_character", text=missing.group(1) if missing else None)
    return RenderFailed(message=exc.message)


def _placements(markers: list[dict[str, Any]]) -> tuple[FieldPlacement, ...]:
    """Turn typst positions (top-left origin, 1-based pages) into PDF boxes (bottom-left)."""
    placements = []
    for m in markers:
        top = m["page_height"] - m["y"]
        box = (m["x"], top - m["height"], m["x"] + m["width"], top)
        rounded = (round(box[0], 2), round(box[1], 2), round(box[2], 2), round(box[3], 2))
        placements.append(FieldPlacement(m["field"], m["page"] - 1, rounded))
    return tuple(placements)


def _payload(spec: ConventionSpec, mode: str) -> dict[str, Any]:
    fr = french_typography
    annexes = _annex_numbers(spec)
    return {
        "mode": mode,
        "title": as_typed(spec.title),
        "reference": spec.reference,
        "kind_label": fr(spec.kind_label),
        "lead": _party(spec.lead, spec),
        "caf": _party(spec.caf, spec),
        "partners": [_party(p, spec) for p in spec.partners],
        "parties": [_party(p, spec) for p in spec.parties],
        "population": format_number_fr(sum(p.population or 0 for p in spec.parties)),
        "period": format_period_fr(spec.start, spec.end),
        "preamble": _paragraphs(spec.preamble),
        "objectives": _objective_groups(spec.objectives),
        "steering_committee": _paragraphs(spec.steering_committee),
        "stages": _stage_groups(spec),
        "version_note": None if spec.version_note is None else fr(spec.version_note),
        "parties_note": None if spec.parties_note is None else fr(spec.parties_note),
        **_clauses(spec, annexes),
    }


def _clauses(spec: ConventionSpec, annexes: dict[str, int]) -> dict[str, Any]:
    """The visas, the preamble and the articles as blocks, the annexes, « Fait à »."""
    variables = _variables(spec, annexes)
    blocks = {"objectifs": _objective_blocks(spec), "comite_de_pilotage": _steering_blocks(spec, variables)}

    # Clause texts are what staff typed (or the shipped defaults, set in typographic characters
    # already): they reach the document as typed, like every other typed text (see `as_typed`).
    def text(source: str) -> list[markup.Block]:
        return markup.parse(source, variables, blocks, as_typed)

    return {
        "clauses": bool(spec.articles),
        "preamble_blocks": text(spec.preamble),
        "visas": [markup.spans(" ".join(v.split()), variables, as_typed) for v in spec.visas if v.strip()],
        "articles": [{"title": as_typed(" ".join(a.title.split())), "blocks": text(a.text)}
                     for a in spec.articles],
        "actions": [{"objective": text(a.objective), "action": text(a.action), "lead": as_typed(a.lead),
                     "calendar": as_typed(a.calendar)} for a in spec.actions],
        "diagnostic": text(spec.diagnostic),
        "annexes": annexes,
        "place": as_typed(spec.signing_place) if spec.signing_place
        else french_typography("au siège de l'intercommunalité") + f" ({as_typed(spec.lead.name)})",
        "place_is_seat": not spec.signing_place,
    }


def _annex_numbers(spec: ConventionSpec) -> dict[str, int]:
    """Annexes are numbered in order, those without data left out; the bordereau is the last."""
    present = [("communes", bool(spec.parties)), ("plan", bool(spec.actions)),
               ("diagnostic", bool(spec.diagnostic.strip())), ("signatures", True)]
    names = [name for name, shown in present if shown]
    return {name: number for number, name in enumerate(names, start=1)}


def _variables(spec: ConventionSpec, annexes: dict[str, int]) -> dict[str, str]:
    """The values a clause may name as ``{name}``: the documented list of `convsign.pdf.markup`."""
    values = {
        "intercommunalite": spec.lead.name,
        "caf": spec.caf.name,
        "nombre_communes": str(len(spec.parties)),
        "debut": format_date_fr(spec.start),
        "fin": format_date_fr(spec.end),
        "periode": format_period_fr(spec.start, spec.end),
        "duree": _duration_fr(spec.start, spec.end),
        "reference": spec.reference,
        "titre": spec.title,
        "lieu": spec.signing_place or spec.lead.name,
    }
    for name, number in annexes.items():
        values[f"annexe_{name}"] = f"annexe {number}"
    return values


VARIABLE_NAMES = ("intercommunalite", "caf", "nombre_communes", "debut", "fin", "periode", "duree", "reference",
                  "titre", "lieu", "annexe_communes", "annexe_plan", "annexe_diagnostic", "annexe_signatures")
BLOCK_NAMES = ("objectifs", "comite_de_pilotage")


def _objective_blocks(spec: ConventionSpec) -> list[markup.Block]:
    """« Au titre de la petite enfance : » then its objectives as a list, domain by domain."""
    out: list[markup.Block] = []
    for group in _objective_groups(spec.objectives):
        out.append({"kind": "label", "spans": [{"text": group["domain"], "style": "strong"}]})
        out.append({"kind": "list", "numbered": False, "items": [[{"text": t, "style": "plain"}]
                                                                  for t in group["items"]]})
    return out


def _steering_blocks(spec: ConventionSpec, variables: dict[str, str]) -> list[markup.Block]:
    return markup.parse(spec.steering_committee, variables, None, as_typed)


def _party(party: PartySpec, spec: ConventionSpec) -> dict[str, Any]:
    return {
        "name": as_typed(party.name),
        "kind_label": french_typography(party.kind_label),
        "siren": party.siren,
        "insee": party.insee,
        "population": None if party.population is None else format_number_fr(party.population),
        "capacity": None if party.capacity is None else french_typography(party.capacity),
        "representative": _representative(party, spec),
    }


def _representative(party: PartySpec, spec: ConventionSpec) -> str | None:
    """« Prénom Nom, Président » from the party's first signatory; the office alone when nobody holds it."""
    for s in spec.signatories:
        if s.organisation == party.name:
            who = f"{s.holder_name}, {s.office}" if s.holder_name else f"la personne exerçant la fonction de {s.office}"
            return french_typography(who)
    return None


def _paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single newlines inside one are plain spaces."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return [as_typed(" ".join(b.split())) for b in blocks if b.strip()]


def _objective_groups(objectives: tuple[ObjectiveSpec, ...]) -> list[dict[str, Any]]:
    """Group objectives by domain, domains in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for objective in objectives:
        groups.setdefault(objective.domain_label, []).append(as_typed(objective.text))
    return [{"domain": french_typography(k), "items": v} for k, v in groups.items()]


def _stage_groups(spec: ConventionSpec) -> list[dict[str, Any]]:
    """Signatories grouped by stage number, in ascending order, keeping their given order."""
    labels = {s.number: s.label for s in spec.stages}
    groups: dict[int, list[dict[str, Any]]] = {}
    for s in spec.signatories:
        groups.setdefault(s.stage, []).append(
            {
                "field": s.field_name,
                "office": as_typed(s.office),
                "organisation": as_typed(s.organisation),
                "holder": None if s.holder_name is None else as_typed(s.holder_name),
            }
        )
    return [{"label": french_typography(labels.get(n, f"Étape {n}")), "signatories": groups[n]} for n in sorted(groups)]
