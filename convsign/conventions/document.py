"""From a convention to its prepared PDF: the text (generated or uploaded), the fields, the seal.

The PDF speaks French whatever the coordinator's interface language.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale

from convsign import labels
from convsign.documents import services as documents
from convsign.models import Convention, Organisation, Signatory
from convsign.pdf.fields import add_signature_fields
from convsign.pdf.generation import (
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


def party_spec(org: Organisation) -> PartySpec:
    """How a party appears in the document."""
    siren = org.siren if org.siren_verified else org.siren + " *"
    return PartySpec(org.name, str(labels.ORGANISATION_KINDS[org.kind]), siren, org.insee_code)


def build_spec(convention: Convention) -> ConventionSpec:
    """The document's description, in French."""
    with force_locale("fr"):
        parties = tuple(party_spec(p.organisation) for p in convention.parties)
        stages = sorted({s.stage for s in convention.signatories})
        return ConventionSpec(
            title=convention.title, reference=convention.reference,
            kind_label=str(labels.CONVENTION_KINDS[convention.kind]),
            lead=party_spec(convention.lead),
            caf=party_spec(convention.caf) if convention.caf else party_spec(convention.lead),
            parties=parties, start=convention.start_date, end=convention.end_date,
            preamble=convention.preamble,
            objectives=tuple(ObjectiveSpec(str(labels.OBJECTIVE_DOMAINS[o.domain]), o.text)
                             for o in convention.objectives),
            steering_committee=convention.steering_committee,
            signatories=tuple(_signatory_spec(s) for s in convention.signatories),
            version_note=f"Version {convention.version}" if convention.version > 1 else None,
            stages=tuple(StageSpec(n, str(labels.STAGE_LABELS.get(n, f"Étape {n}"))) for n in stages),
            parties_note=UNVERIFIED_NOTE if any(not p.organisation.siren_verified for p in convention.parties)
            else None,
        )


def _signatory_spec(slot: Signatory) -> SignatorySpec:
    return SignatorySpec(field_name=slot.field_name, office=slot.office.title,
                         organisation=slot.office.organisation.name, stage=slot.stage)


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
