"""The evidence file of a convention: gathered from the record, worded in French, rendered, sealed.

Sources: the convention and its parties (with their deliberations), the slots, the audit entries
recorded for the convention, the revisions, and a fresh validation of the latest revision (the
certificates and timestamps are read from that file). The sealed PDF is cached in the instance
folder, keyed by what it depends on, so a second download costs a file read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from convsign import labels
from convsign.audit.labels import entry_label
from convsign.documents import services as documents
from convsign.evidence import wording
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, ConventionParty, Deliberation, Signatory, SlotState
from convsign.pdf.evidence import EvidenceParty, EvidenceRevision, EvidenceSignatory, EvidenceSpec, render_evidence
from convsign.pdf.signing import certify
from convsign.trust import platform

SEAL_REASON = "Dossier de preuve scellé par la plateforme"


def evidence_pdf(convention: Convention, now: datetime) -> bytes:
    """The sealed evidence file of the convention, from the cache when nothing it says has changed."""
    path = _cache_dir() / f"convention-{convention.id}-{cache_key(convention)}.pdf"
    if path.exists():
        return path.read_bytes()
    with force_locale("fr"):  # the evidence is a French document whoever asks for it
        spec = build_spec(convention, now)
    sealed = certify(
        render_evidence(spec, created_at=now),
        platform.pki().seal_identity(),
        platform.timestamper(),
        reason=SEAL_REASON,
    )
    _write_atomically(path, sealed)
    return sealed


def cache_key(convention: Convention) -> str:
    """A digest of everything the file depends on: document, status, slots, deliberations, journal."""
    newest = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)).where(AuditEntry.convention_id == convention.id))
    slots = [
        (s.id, s.state.value, str(s.refused_at), str(s.reminded_at), str(s.invited_at)) for s in convention.signatories
    ]
    deliberations = db.session.scalar(
        sa.select(sa.func.max(Deliberation.updated_at))
        .join(ConventionParty)
        .where(ConventionParty.convention_id == convention.id)
    )
    facts = repr((convention.latest_sha256, convention.status.value, newest, slots, str(deliberations)))
    return hashlib.sha256(facts.encode()).hexdigest()[:32]


def build_spec(convention: Convention, now: datetime) -> EvidenceSpec:
    """Everything the evidence file says, in words."""
    signatories = tuple(_signatory(slot, events) for slot, events in _slot_events(convention))
    signatures, verdict = wording.signatures(convention)
    head = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    count = db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.convention_id == convention.id))
    return EvidenceSpec(
        title=convention.title,
        reference=convention.reference,
        status=str(labels.CONVENTION_STATUSES[convention.status]),
        generated=wording.moment(now),
        latest_sha256=convention.latest_sha256,
        parties=_parties(convention),
        signatories=signatories,
        unsigned=tuple(s for s in signatories if not s.signed),
        revisions=_revisions(convention),
        signatures=signatures,
        document_verdict=verdict,
        audit_head_id=head[0] if head else None,
        audit_head_hash=head[1] if head else None,
        audit_entries=int(count or 0),
    )


def _parties(convention: Convention) -> tuple[EvidenceParty, ...]:
    deliberations = {
        d.convention_party_id: d
        for d in db.session.scalars(
            sa.select(Deliberation).join(ConventionParty).where(ConventionParty.convention_id == convention.id)
        )
    }
    return tuple(
        EvidenceParty(
            name=party.organisation.name,
            kind=str(labels.ORGANISATION_KINDS[party.organisation.kind]),
            siren=party.organisation.siren,
            deliberation=wording.deliberation(deliberations.get(party.id), party),
        )
        for party in convention.parties
    )


def _slot_events(convention: Convention) -> list[tuple[Signatory, list[tuple[datetime, str]]]]:
    """Each slot with its events: invited and reminded (from the slot), then its audit entries."""
    entries: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for entry in db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.convention_id == convention.id, AuditEntry.slot_id.is_not(None))
        .order_by(AuditEntry.id)
    ):
        who = f" — {entry.actor_name}" if entry.actor_name else ""
        entries[entry.slot_id or 0].append((entry.at, f"{entry_label(entry.action, entry.details)}{who}"))
    result = []
    for slot in convention.signatories:
        events = [
            *(((slot.invited_at, str(_("invitation à signer"))),) if slot.invited_at else ()),
            *(((slot.reminded_at, str(_("dernière relance"))),) if slot.reminded_at else ()),
            *entries[slot.id],
        ]
        result.append((slot, sorted(events, key=lambda item: item[0])))
    return result


def _signatory(slot: Signatory, events: list[tuple[datetime, str]]) -> EvidenceSignatory:
    return EvidenceSignatory(
        office=slot.office.title,
        organisation=slot.office.organisation.name,
        outcome=wording.outcome(slot),
        signed=slot.state == SlotState.SIGNED,
        events=tuple(f"{wording.moment(at)} : {text}" for at, text in events),
    )


def _revisions(convention: Convention) -> tuple[EvidenceRevision, ...]:
    return tuple(
        EvidenceRevision(
            number=r.number,
            kind=str(labels.REVISION_KINDS[r.kind]) + (f" — {r.signatory.office.title}" if r.signatory else ""),
            created=wording.moment(r.created_at),
            size=r.size,
            sha256=r.sha256,
        )
        for r in documents.revisions(convention)
    )


def _cache_dir() -> Path:
    return Path(current_app.instance_path) / "evidence"


def _write_atomically(path: Path, content: bytes) -> None:
    """Temporary file then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
