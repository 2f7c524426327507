"""The « extrait du registre des délibérations » of a recorded deliberation, generated on demand."""

from __future__ import annotations

from convsign.models import ConventionParty, Deliberation, Office, OfficeKind, OrganisationKind
from convsign.pdf.extract import ExtractSpec, Vote, render_extract

_WHO_SIGNS = {OfficeKind.MAYOR: "le maire", OfficeKind.PRESIDENT: "le président"}
_TITLE = {OfficeKind.MAYOR: "Maire", OfficeKind.PRESIDENT: "Président"}


def signing_office(party: ConventionParty) -> Office | None:
    """The office that signs the convention for the party (its slot's office)."""
    return next(
        (s.office for s in party.convention.signatories if s.office.organisation_id == party.organisation_id), None
    )


def _heading(party: ConventionParty) -> str:
    name = party.organisation.name
    if party.organisation.kind == OrganisationKind.COMMUNE:
        return f"Commune d’{name}" if name[:1].lower() in "aeiouyéèêâîô" else f"Commune de {name}"
    return name


def _council(party: ConventionParty) -> str:
    return "conseil municipal" if party.organisation.kind == OrganisationKind.COMMUNE else "conseil communautaire"


def _president(office: Office | None, deliberation: Deliberation) -> tuple[str, str]:
    """Who presided (the office's holder on the session day) and how the extract is signed."""
    holder = office.holder_on(deliberation.session_date) if office else None
    if office is None or holder is None:
        return "son président", ""
    title = _TITLE.get(office.kind, office.title)
    return f"{holder.user.name}, {title}", f"Le {title}, {holder.user.name}"


def extract_spec(party: ConventionParty, deliberation: Deliberation) -> ExtractSpec:
    """What the extract of `deliberation` states."""
    office = signing_office(party)
    president, signatory = _president(office, deliberation)
    who = _WHO_SIGNS.get(office.kind, "son représentant") if office else "son représentant"
    return ExtractSpec(
        authority_heading=_heading(party),
        council=_council(party),
        place=party.organisation.name,
        session_date=deliberation.session_date,
        convocation_date=deliberation.convocation_date,
        president=president,
        members_in_office=deliberation.members_in_office,
        members_present=deliberation.members_present,
        members_represented=deliberation.members_represented,
        secretary=deliberation.secretary,
        rapporteur=deliberation.rapporteur,
        subject=deliberation.subject,
        vote=Vote(deliberation.unanimous, deliberation.votes_for, deliberation.votes_against, deliberation.abstentions),
        decision=f"D’autoriser {who} à signer la convention « {party.convention.title} » ainsi que tout "
        "document relatif à cette affaire.",
        signatory=signatory,
        number=deliberation.number,
        actes_identifier=deliberation.actes_identifier,
        sent_on=deliberation.sent_on,
        published_on=deliberation.published_on,
        publication_mode=deliberation.publication_mode,
        executory_on=deliberation.executory_on,
    )


def extract_pdf(party: ConventionParty, deliberation: Deliberation) -> bytes:
    """The extract as PDF/A-2b."""
    return render_extract(extract_spec(party, deliberation))
