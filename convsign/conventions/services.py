"""Convention rules: drafts, the uploaded text, opening (freezing) and cancelling.

Opening generates the document, creates every signature field in one update, has the platform
certify it (DocMDP: form filling and signatures only), stores it as revision 1 and opens stage 1.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from convsign import events
from convsign.audit.services import record
from convsign.clauses import services as clauses
from convsign.conventions import circuit, layout
from convsign.conventions.document import prepare_document
from convsign.documents import services as documents
from convsign.errors import ConvsignError, ValidationFailed
from convsign.extensions import db
from convsign.models import (
    Convention,
    ConventionKind,
    ConventionParty,
    ConventionStatus,
    DocumentRevision,
    Objective,
    ObjectiveDomain,
    Office,
    OfficeKind,
    Organisation,
    OrganisationKind,
    RevisionKind,
    Signatory,
    User,
)
from convsign.pdf.errors import PdfRejected
from convsign.pdf.inspection import inspect_pdf

DEFAULT_STAGE = {OrganisationKind.COMMUNE: 1, OrganisationKind.EPCI: 2, OrganisationKind.CAF: 3}
SIGNING_OFFICE = {OrganisationKind.COMMUNE: OfficeKind.MAYOR, OrganisationKind.EPCI: OfficeKind.PRESIDENT,
                  OrganisationKind.CAF: OfficeKind.DIRECTOR}


class ConventionLocked(ConvsignError):
    """The text of an opened convention cannot change."""

    status = 409


@dataclass(frozen=True)
class ObjectiveData:
    """One objective row of the form."""

    domain: ObjectiveDomain
    text: str


@dataclass(frozen=True)
class SignatoryData:
    """One signatory row of the form: an office, in a stage."""

    office_id: int
    stage: int


@dataclass(frozen=True)
class ConventionData:
    """What the convention form carries."""

    title: str
    reference: str
    kind: ConventionKind
    lead_id: int
    caf_id: int | None
    start: date
    end: date
    preamble: str
    steering_committee: str
    deadline: date | None
    party_ids: tuple[int, ...]
    objectives: tuple[ObjectiveData, ...]
    signatories: tuple[SignatoryData, ...]


def ctg_period(first_year: int) -> tuple[date, date]:
    """A CTG's default period: four calendar years from 1 January."""
    return date(first_year, 1, 1), date(first_year + 3, 12, 31)


def duration_years(start: date, end: date) -> int:
    """Whole years covered, counting 1 January to 31 December as one."""
    return end.year - start.year + (1 if (end.month, end.day) >= (start.month, start.day) else 0)


def suggested_signatories(organisations: list[Organisation]) -> list[SignatoryData]:
    """One slot per party: mayors in stage 1, the EPCI's president in 2, the CAF's director in 3."""
    slots = []
    for org in organisations:
        office = signing_office(org)
        if office is not None:
            slots.append(SignatoryData(office.id, DEFAULT_STAGE.get(org.kind, 1)))
    return slots


def signing_office(org: Organisation) -> Office | None:
    """The office that signs for `org` by default (its mayor, president or director)."""
    kind = SIGNING_OFFICE.get(org.kind)
    query = sa.select(Office).where(Office.organisation_id == org.id).order_by(Office.id)
    if kind is not None:
        query = query.where(Office.kind == kind)
    return db.session.scalars(query).first()


def epci_communes(epci_id: int) -> list[Organisation]:
    """The active communes of an intercommunality, by name."""
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.parent_id == epci_id, Organisation.active).order_by(Organisation.name)))


def _check(data: ConventionData) -> dict[int, Office]:
    if data.end <= data.start:
        raise ValidationFailed(_("La fin de la convention doit suivre son début."), "end")
    _check_words(data)
    if data.lead_id not in data.party_ids:
        raise ValidationFailed(_("L'organisation porteuse doit faire partie des parties."), "party_ids")
    if data.caf_id is not None and data.caf_id not in data.party_ids:
        raise ValidationFailed(_("La CAF doit faire partie des parties."), "party_ids")
    offices = {o.id: o for o in db.session.scalars(
        sa.select(Office).where(Office.id.in_([s.office_id for s in data.signatories])))}
    _check_signatories(data, offices)
    return offices


def _check_words(data: ConventionData) -> None:
    """No word the generator cannot lay out (see convsign.conventions.layout)."""
    for field, value in (("preamble", data.preamble), ("steering_committee", data.steering_committee)):
        if layout.longest_word(value) > layout.LONGEST_WORD:
            raise ValidationFailed(
                _("Un mot de plus de %(n)s caractères sans espace ne peut pas être mis en page : coupez-le.",
                  n=layout.LONGEST_WORD), field)


def _check_signatories(data: ConventionData, offices: dict[int, Office]) -> None:
    chosen = [s.office_id for s in data.signatories]
    if len(chosen) != len(set(chosen)):
        raise ValidationFailed(_("Un même signataire figure deux fois."), "signatories")
    if not chosen:
        raise ValidationFailed(_("Ajoutez au moins un signataire."), "signatories")
    if set(chosen) - offices.keys():
        raise ValidationFailed(_("Un signataire choisi n'existe plus."), "signatories")
    signing_orgs = {offices[i].organisation_id for i in chosen}
    for party_id in data.party_ids:
        if party_id not in signing_orgs:
            org = db.session.get(Organisation, party_id)
            raise ValidationFailed(_("La partie « %(name)s » n'a pas de signataire.",
                                     name=org.name if org else party_id), "signatories")
    if signing_orgs - set(data.party_ids):
        raise ValidationFailed(_("Chaque signataire doit représenter une des parties."), "signatories")
    if any(not 1 <= s.stage <= 9 for s in data.signatories):
        raise ValidationFailed(_("Les étapes sont numérotées de 1 à 9."), "signatories")


def save_draft(data: ConventionData, actor: User, convention: Convention | None = None) -> Convention:
    """Create or update a draft from the form's data."""
    offices = _check(data)
    creating = convention is None
    if convention is None:
        convention = Convention(created_by=actor)
        db.session.add(convention)
    elif not convention.is_editable:
        raise ConventionLocked(_("Cette convention est ouverte à la signature : son texte ne peut plus changer."))
    _apply(convention, data, offices)
    db.session.flush()
    if creating:
        clauses.ensure_clauses(convention)
    record("convention_created" if creating else "convention_updated", actor=actor, convention_id=convention.id,
           title=convention.title)
    return convention


def _apply(convention: Convention, data: ConventionData, offices: dict[int, Office]) -> None:
    convention.title, convention.reference, convention.kind = data.title.strip(), data.reference.strip(), data.kind
    convention.lead_id, convention.caf_id = data.lead_id, data.caf_id
    convention.start_date, convention.end_date, convention.deadline = data.start, data.end, data.deadline
    convention.preamble, convention.steering_committee = data.preamble, data.steering_committee
    convention.parties = _parties(convention, data.party_ids)
    convention.objectives = [Objective(domain=o.domain, text=o.text.strip(), position=i)
                             for i, o in enumerate(data.objectives) if o.text.strip()]
    # Old slots go first: a kept office (or field name) would otherwise collide with its new row.
    convention.signatories = []
    db.session.flush()
    convention.signatories = [
        Signatory(office_id=s.office_id, stage=s.stage, position=i,
                  field_name=field_name(i, offices[s.office_id]))
        for i, s in enumerate(sorted(data.signatories, key=lambda s: s.stage))]


def _parties(convention: Convention, party_ids: tuple[int, ...]) -> list[ConventionParty]:
    """The parties in the form's order; a kept party keeps its row (and any waiver recorded on it)."""
    existing = {p.organisation_id: p for p in convention.parties}
    parties = []
    for position, org_id in enumerate(party_ids):
        party = existing.get(org_id) or ConventionParty(organisation_id=org_id,
                                                        deliberation_required=_needs_deliberation(org_id))
        party.position = position
        parties.append(party)
    return parties


def _needs_deliberation(org_id: int) -> bool:
    org = db.session.get(Organisation, org_id)
    return org is not None and org.kind in (OrganisationKind.COMMUNE, OrganisationKind.EPCI)


def field_name(position: int, office: Office) -> str:
    """A stable signature field name: position and office, ASCII, no dot (pyHanko forbids it)."""

    ascii_title = unicodedata.normalize("NFKD", office.title).encode("ascii", "ignore").decode()
    slug = "".join(c if c.isalnum() else "_" for c in ascii_title).strip("_")
    return f"S{position + 1:02d}_{slug}"[:64]


def attach_uploaded_text(convention: Convention, pdf: bytes, actor: User) -> None:
    """Use the PDF the CAF drafted as the convention's text; the bordereau is appended at opening."""
    if not convention.is_editable:
        raise ConventionLocked(_("Cette convention est ouverte à la signature : son texte ne peut plus changer."))
    config = current_app.config
    try:
        info = inspect_pdf(pdf, max_bytes=int(config["MAX_UPLOAD_MB"]) * 1024 * 1024,
                           max_pages=int(config["MAX_PDF_PAGES"]), for_signing=True)
    except PdfRejected as error:
        raise ValidationFailed(upload_message(error), "document") from error
    convention.uploaded_text_sha256 = documents.store().put(pdf)
    record("convention_text_uploaded", actor=actor, convention_id=convention.id,
           sha256_after=convention.uploaded_text_sha256, pages=info.page_count)


def upload_message(error: PdfRejected) -> str:
    """Why an uploaded PDF was refused, in French."""
    config = current_app.config
    messages = {
        "empty": _("Le fichier envoyé est vide."),
        "not_pdf": _("Ce fichier n'est pas un PDF."),
        "too_large": _("Ce PDF dépasse la taille maximale de %(mb)s Mo.", mb=config["MAX_UPLOAD_MB"]),
        "damaged": _("Ce PDF est endommagé ou illisible. Enregistrez-le de nouveau depuis votre logiciel "
                     "et réessayez."),
        "encrypted": _("Ce PDF est protégé par un mot de passe ou chiffré : envoyez une version sans protection."),
        "already_signed": _("Ce PDF porte déjà des signatures : envoyez le texte avant toute signature."),
        "too_many_pages": _("Ce PDF dépasse le nombre maximal de %(n)s pages.", n=config["MAX_PDF_PAGES"]),
        "decode_limit": _("Ce PDF contient des données compressées anormalement volumineuses : il est refusé "
                          "par prudence."),
        "active_content": _("Ce PDF contient du contenu actif (%(what)s) : un document à signer doit être "
                            "statique. Enregistrez-le sans ce contenu et réessayez.",
                            what=active_content_label(str(error.details.get("action", "")))),
        "form_fields": _("Ce PDF contient des champs de formulaire (%(names)s) : leur contenu pourrait être "
                         "changé après la signature. Aplatissez le formulaire (« imprimer en PDF ») et réessayez.",
                         names=", ".join(f"« {name} »" for name in _names(error.details.get("fields")))),
        "too_slow": _("L'analyse de ce PDF demande trop de travail : il est refusé par prudence."),
    }
    return str(messages.get(error.code, _("Ce PDF ne peut pas être accepté.")))


def _names(value: object) -> list[str]:
    return [str(name) for name in value] if isinstance(value, (list, tuple)) else []


def active_content_label(action: str) -> str:
    """What the refused active content is, in French."""
    labels = {
        "/AA": _("actions automatiques à l'ouverture d'une page ou d'un champ"),
        "/EmbeddedFile": _("fichier joint"),
        "/JavaScript": _("JavaScript"),
        "/URI": _("lien qui n'est ni web ni courriel, par exemple javascript:"),
        "/Launch": _("lancement d'application"),
        "/GoToR": _("ouverture d'un autre fichier"),
        "/GoToE": _("ouverture d'un fichier joint"),
        "/SubmitForm": _("envoi de formulaire"),
        "/ImportData": _("import de données"),
    }
    return str(labels.get(action, _("action %(action)s", action=action.lstrip("/") or "?")))


def open_convention(convention: Convention, actor: User, now: datetime) -> DocumentRevision:
    """Freeze the text: generate, add the fields, certify, store revision 1, open stage 1."""
    if convention.status != ConventionStatus.DRAFT:
        raise ConventionLocked(_("Cette convention a déjà été ouverte à la signature."))
    if not convention.signatories:
        raise ValidationFailed(_("Ajoutez au moins un signataire avant d'ouvrir la convention."))
    if not convention.uploaded_text_sha256:
        clauses.ensure_clauses(convention)  # a draft from before clause models opens with the default model
    prepared = prepare_document(convention, now)
    revision = documents.add_revision(convention, prepared, RevisionKind.PREPARED)
    convention.status, convention.opened_at = ConventionStatus.CIRCULATING, now
    invite_open_stage(convention, now)
    record("convention_opened", actor=actor, convention_id=convention.id, sha256_after=revision.sha256,
           signatories=len(convention.signatories))
    return revision


def invite_open_stage(convention: Convention, now: datetime) -> list[Signatory]:
    """Mark the open stage's slots as invited (once); returns the newly invited slots."""
    stage = circuit.open_stage(convention)
    invited = [s for s in convention.signatories if s.stage == stage and s.invited_at is None]
    for slot in invited:
        slot.invited_at = now
    if invited:
        events.slots_invited.send(convention, slots=invited)
    return invited


def cancel_convention(convention: Convention, actor: User, reason: str, now: datetime) -> None:
    """Cancel a draft or a circulating convention, with a reason."""
    if convention.status not in (ConventionStatus.DRAFT, ConventionStatus.CIRCULATING):
        raise ValidationFailed(_("Seule une convention en brouillon ou en circulation peut être annulée."))
    if not reason.strip():
        raise ValidationFailed(_("Indiquez le motif de l'annulation."), "reason")
    convention.status, convention.closed_at, convention.closed_reason = ConventionStatus.CANCELLED, now, reason
    entry = record("convention_cancelled", actor=actor, convention_id=convention.id, reason=reason)
    events.convention_cancelled.send(convention, entry=entry)


def new_version(convention: Convention, actor: User) -> Convention:
    """A new draft copying a cancelled convention, linked to it, to change its text."""
    if convention.status != ConventionStatus.CANCELLED:
        raise ValidationFailed(_("Annulez d'abord la convention pour en créer une nouvelle version."))
    copy = Convention(
        title=convention.title, reference=convention.reference, kind=convention.kind, lead_id=convention.lead_id,
        caf_id=convention.caf_id, start_date=convention.start_date, end_date=convention.end_date,
        preamble=convention.preamble, steering_committee=convention.steering_committee,
        deadline=convention.deadline, uploaded_text_sha256=convention.uploaded_text_sha256,
        replaces_id=convention.id, version=convention.version + 1, created_by=actor)
    copy.parties = [ConventionParty(organisation_id=p.organisation_id, position=p.position,
                                    deliberation_required=p.deliberation_required) for p in convention.parties]
    copy.objectives = [Objective(domain=o.domain, text=o.text, position=o.position) for o in convention.objectives]
    copy.signatories = [Signatory(office_id=s.office_id, stage=s.stage, position=s.position,
                                  field_name=s.field_name) for s in convention.signatories]
    db.session.add(copy)
    db.session.flush()
    clauses.copy_clauses(convention, copy)
    record("convention_new_version", actor=actor, convention_id=copy.id, replaces=convention.id)
    return copy

