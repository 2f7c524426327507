"""The demonstration's convention: the CTG 2023-2026 of Lens-Liévin, opened for signature.

Its objectives are the sentences of the deliberation of Loison-sous-Lens of 13 December 2022
(convsign/demo/data/deliberation-loison-sous-lens-2022-12-13.txt), by domain. Loading it again
changes nothing: the convention is found by its reference.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from convsign.clauses import services as clauses
from convsign.clauses.defaults import CTG_ARTICLES, CTG_PREAMBLE, CTG_VISAS
from convsign.conventions import services
from convsign.demo import ctg_text
from convsign.extensions import db
from convsign.models import Convention, ConventionKind, ObjectiveDomain, Organisation, User
from convsign.models.types import utcnow

REFERENCE = "CTG-CALL-2023"
TITLE = "Convention Territoriale Globale 2023-2026"
PERIOD = (date(2023, 1, 1), date(2026, 12, 31))



# The deliberation's sentences, as written there.
OBJECTIVES = (
    (
        ObjectiveDomain.EARLY_CHILDHOOD,
        "Favoriser un développement équilibré de l'offre d'accueil collectif 0/6 ans en rendant visible l'instance "
        "départementale d'informations et d'échanges pour les porteurs de projets EAJE (établissement d'accueil du "
        "jeune enfant) et MAM (maison d'assistantes maternelles), et en créant des équipes multi partenariales pour "
        "travailler les projets locaux.",
    ),
    (
        ObjectiveDomain.PARENTING,
        "Soutenir et accompagner la professionnalisation et le renouvellement des assistantes maternelles.",
    ),
    (ObjectiveDomain.PARENTING, "Etudier la faisabilité d'une « Halte répit familles »."),
    (ObjectiveDomain.YOUTH, "Proposer une offre harmonisée et développer un réseau jeunesse sur un territoire."),
    (
        ObjectiveDomain.HOUSING,
        "Poursuivre la dynamique territoriale en faveur de l'accès et le maintien dans le logement avec une attention "
        "particulière envers les publics en situation de précarité.",
    ),
    (ObjectiveDomain.SOCIAL_LIFE, "Poursuivre les accompagnements des équipements actuels."),
    (ObjectiveDomain.SOCIAL_LIFE, "Accompagner et qualifier les actifs bénévoles."),
    (ObjectiveDomain.SOCIAL_LIFE, "Soutenir le développement des équipements sur les zones « blanches »."),
    (ObjectiveDomain.SOCIAL_LIFE, "Création d'un pôle d'ingénierie sur le territoire."),
)


def ensure_demo_convention(
    epci: Organisation, caf: Organisation, coordinator_email: str, progress: Callable[[str], None] = lambda _m: None
) -> Convention:
    """The demo CTG, created and opened by the coordinator if it does not exist yet."""
    existing = db.session.scalar(
        sa.select(Convention)
        .where(Convention.reference == REFERENCE, Convention.lead_id == epci.id)
        .order_by(Convention.id)
    )
    if existing is not None:
        progress(f"{TITLE} : déjà chargée")
        return existing
    coordinator = db.session.scalar(sa.select(User).where(User.email == coordinator_email))
    assert coordinator is not None, "the demo's coordinator is created first"
    convention = services.save_draft(demo_data(epci, caf), coordinator)
    clauses.save_clauses(convention, demo_clauses(), coordinator)
    services.open_convention(convention, coordinator, utcnow())
    progress(f"{TITLE} : ouverte à la signature, {len(convention.signatories)} signataires")
    return convention


def demo_data(epci: Organisation, caf: Organisation) -> services.ConventionData:
    """The CTG between the CAF, the EPCI and its communes; mayors, then the president, then the director."""
    parties = [epci, caf, *services.epci_communes(epci.id)]
    return services.ConventionData(
        title=TITLE,
        reference=REFERENCE,
        kind=ConventionKind.CTG,
        lead_id=epci.id,
        caf_id=caf.id,
        start=PERIOD[0],
        end=PERIOD[1],
        preamble=CTG_PREAMBLE,
        steering_committee=ctg_text.STEERING,
        deadline=None,
        party_ids=tuple(org.id for org in parties),
        objectives=tuple(services.ObjectiveData(domain, text) for domain, text in OBJECTIVES),
        signatories=tuple(services.suggested_signatories(parties)),
    )


def demo_clauses() -> clauses.ClauseData:
    """The default CTG articles with Lens-Liévin's local wording, its illustrative plan and diagnostic."""
    local = dict(ctg_text.LOCAL_ARTICLES)
    articles = tuple(clauses.ArticleData(title, local.get(title, text)) for title, text in CTG_ARTICLES)
    return clauses.ClauseData(
        visas=CTG_VISAS, place=ctg_text.PLACE, diagnostic=ctg_text.DIAGNOSTIC, articles=articles,
        actions=tuple(clauses.ActionData(*row) for row in ctg_text.ACTIONS))
