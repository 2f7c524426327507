"""From a convention to its prepared PDF: the text (generated or uploaded), the fields, the seal.

The PDF speaks French whatever the coordinator's interface language. A generated text is the
convention's clauses (its articles, visas, action plan), or its type's default model for a draft
that has none yet; the member communes are the commune parties only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from flask_babel import force_locale

from convsign import labels
from convsign.clauses import services as clauses
from convsign.documents import services as documents
from convsign.models import Convention, Organisation, OrganisationKind, Signatory
from convsign.models.types import local_today
from convsign.pdf.fields import add_signature_fields
from convsign.pdf.generation import (
    ActionSpec,
    ArticleSpec,
    ConventionSpec,
    GeneratedDocument,
    ObjectiveSpec,
    PartySpec,
    SignatorySpec,
    StageSpec,
    append_bordereau,
    render_convention,
)
from convsign.pdf.signing import certify
from convsign.trust import platform

UNVERIFIED_NOTE = ("Les numéros SIREN marqués d'un astérisque respectent la règle de contrôle mais n'ont pas été "
                   "vérifiés auprès du répertoire SIRENE.")
CAPACITY = {
    OrganisationKind.COMMUNE: "dûment habilité par délibération de son conseil municipal",
    OrganisationKind.EPCI: "dûment habilité par délibération du conseil communautaire",
    OrganisationKind.CAF: "dûment habilité par délibération de son conseil d'administration",
    OrganisationKind.DEPARTEMENT: "dûment habilité par délibération du conseil départemental",
    OrganisationKind.MSA: "dûment habilité par délibération de son conseil d'administration",
}


def party_spec(org: Organisation) -> PartySpec:
    """How a party appears in the document."""
    siren = org.siren if org.siren_verified else org.siren + " *"
    return PartySpec(org.name, str(labels.ORGANISATION_KINDS[org.kind]), siren, org.insee_code, org.population,
                     CAPACITY.get(org.kind))


def build_spec(convention: Convention, today: date | None = None) -> ConventionSpec:
    """The document's description, in French; holders' names as of `today` (the generation day)."""
    today = today or local_today()
    with force_locale("fr"):
        orgs = [p.organisation for p in convention.parties]
        special = {convention.lead_id, convention.caf_id}
        stages = sorted({s.stage for s in convention.signatories})
        spec = ConventionSpec(
            title=convention.title, reference=convention.reference,
            kind_label=str(labels.CONVENTION_KINDS[convention.kind]),
            lead=party_spec(convention.lead),
            caf=party_spec(convention.caf) if convention.caf else party_spec(convention.lead),
            parties=tuple(party_spec(o) for o in orgs if o.kind == OrganisationKind.COMMUNE),
            partners=tuple(party_spec(o) for o in orgs if o.kind != OrganisationKind.COMMUNE and o.id not in special),
            start=convention.start_date, end=convention.end_date,
            preamble=convention.preamble,
            objectives=tuple(ObjectiveSpec(str(labels.OBJECTIVE_DOMAINS[o.domain]), o.text)
                             for o in convention.objectives),
            steering_committee=convention.steering_committee,
            signatories=tuple(_signatory_spec(s, today) for s in convention.signatories),
            version_note=f"Version {convention.version}" if convention.version > 1 else None,
            stages=tuple(StageSpec(n, str(labels.STAGE_LABELS.get(n, f"Étape {n}"))) for n in stages),
            parties_note=UNVERIFIED_NOTE if any(not p.organisation.siren_verified for p in convention.parties)
            else None,
        )
        return _with_clauses(spec, convention)


def _with_clauses(spec: ConventionSpec, convention: Convention) -> ConventionSpec:
    """The convention's own clauses; the default model's for a draft that has none yet (not saved)."""
    own = clauses.clauses_of(convention)
    if own is None:
        model = clauses.default_model(convention.kind)
        return replace(spec, visas=tuple(model.visas.splitlines()), signing_place=model.place or None,
                       articles=tuple(ArticleSpec(a.title, a.text) for a in model.articles))
    return replace(
        spec,
        visas=tuple(own.visas.splitlines()),
        signing_place=own.place or None,
        diagnostic=own.diagnostic,
        articles=tuple(ArticleSpec(a.title, a.text) for a in clauses.articles_of(convention)),
        actions=tuple(ActionSpec(a.objective, a.action, a.lead, a.calendar) for a in clauses.actions_of(convention)),
    )


def _signatory_spec(slot: Signatory, today: date) -> SignatorySpec:
    mandate = slot.office.holder_on(today)
    return SignatorySpec(field_name=slot.field_name, office=slot.office.title,
                         organisation=slot.office.organisation.name, stage=slot.stage,
                         holder_name=mandate.user.name if mandate is not None else None)


def render(convention: Convention, now: datetime) -> GeneratedDocument:
    """The unsigned document with its bordereau: generated, or the uploaded text plus the bordereau."""
    spec = build_spec(convention)
    if convention.uploaded_text_sha256:
        uploaded = documents.store().get(convention.uploaded_text_sha256)
        return append_bordereau(uploaded, spec, created_at=now)
    return render_convention(spec, created_at=now)


def prepare_document(convention: Convention, now: datetime) -> bytes:
    """Render, add every signature field in one update, and certify with the platform's seal."""
    generated = render(convention, now)
    with_fields = add_signature_fields(generated.pdf, generated.placements)
    return certify(with_fields, platform.pki().seal_identity(), platform.timestamper(),
                   reason="Document préparé pour signature : toute modification ultérieure est détectable")
