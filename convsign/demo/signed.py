"""A finished convention for the demonstration: five communes, the president and the CAF director
sign it to the end through the real signing service, so a newcomer sees a PAdES B-LTA document.

Each signer's key is protected by a random demo passphrase, written with the logins.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from convsign.conventions import services as conventions
from convsign.extensions import db
from convsign.models import (
    Convention,
    ConventionKind,
    ObjectiveDomain,
    Organisation,
    OrganisationKind,
    Signatory,
    User,
)
from convsign.models.types import local_today, utcnow
from convsign.signing import keys, services

REFERENCE = "DEMO-SIGNEE-2025"
COMMUNES = 5


@dataclass(frozen=True)
class DemoSigner:
    """Who signed the finished demo convention, and the passphrase of their key."""

    office: str
    email: str
    passphrase: str


def load_signed_demo(epci: Organisation, caf: Organisation, coordinator: User,
                     progress: Callable[[str], None] = lambda _m: None) -> list[DemoSigner]:
    """Create and sign the finished convention, once; returns its signers (empty if it existed)."""
    if db.session.scalar(sa.select(Convention.id).where(Convention.reference == REFERENCE)) is not None:
        return []
    convention = conventions.save_draft(_data(epci, caf), coordinator)
    for party in convention.parties:  # a demonstration: no council deliberated on it
        party.deliberation_required, party.waiver_reason = False, "Convention de démonstration"
    conventions.open_convention(convention, coordinator, utcnow())
    signers = []
    for slot in list(convention.signatories):
        signers.append(_sign(slot))
        progress(f"Convention signée de démonstration : {len(signers)}/{len(convention.signatories)} signatures")
    return signers


def _data(epci: Organisation, caf: Organisation) -> conventions.ConventionData:
    communes = db.session.scalars(sa.select(Organisation).where(
        Organisation.parent_id == epci.id, Organisation.kind == OrganisationKind.COMMUNE)
        .order_by(Organisation.name).limit(COMMUNES)).all()
    parties = [epci, caf, *communes]
    return conventions.ConventionData(
        title="Convention de partenariat pour l'accueil du jeune enfant (démonstration signée)",
        reference=REFERENCE, kind=ConventionKind.OTHER, lead_id=epci.id, caf_id=caf.id,
        start=date(2025, 1, 1), end=date(2025, 12, 31),
        preamble="Convention de démonstration, signée de bout en bout par le service de signature de convsign.",
        steering_committee="Un comité de suivi réunit les signataires une fois par an.", deadline=None,
        party_ids=tuple(p.id for p in parties),
        objectives=(conventions.ObjectiveData(ObjectiveDomain.EARLY_CHILDHOOD,
                                              "Favoriser un développement équilibré de l'offre d'accueil 0-6 ans."),),
        signatories=tuple(conventions.suggested_signatories(parties)))


_UNAMBIGUOUS_CHARACTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def _sign(slot: Signatory) -> DemoSigner:
    mandate = slot.office.holder_on(local_today())
    assert mandate is not None, slot.office.title
    user = mandate.user
    # Letters and digits only, no prefix: printed alone it cannot be misread as a label plus a word.
    passphrase = "".join(secrets.choice(_UNAMBIGUOUS_CHARACTERS) for _ in range(16))
    if keys.active_key(user, mandate, utcnow()) is None:
        keys.create_key(user, mandate, passphrase, utcnow())
    # A key made earlier by hand has a passphrase the demo does not know: signing then fails, loudly.
    services.sign_slot(slot.id, user, passphrase, slot.convention.latest_sha256 or "", utcnow())
    return DemoSigner(slot.office.title, user.email, passphrase)
