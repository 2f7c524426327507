"""The demo CTG of the Communauté d'Agglomération de Lens-Liévin, as a `ConventionSpec`.

Communes and objectives come from /work/shared/domain (the Loison-sous-Lens deliberation of
13 December 2022). Only Loison-sous-Lens' SIREN is confirmed by an official document.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

from convsign.clauses.defaults import CTG_ARTICLES, CTG_PREAMBLE, CTG_VISAS
from convsign.demo import ctg_text
from convsign.pdf.generation import (
    ActionSpec,
    ArticleSpec,
    ConventionSpec,
    ObjectiveSpec,
    PartySpec,
    SignatorySpec,
    StageSpec,
)

# insee, name, population, siren
COMMUNES_CSV = """\
62001,Ablain-Saint-Nazaire,1772,216200014,246200364
62003,Acheville,627,216200030,246200364
62019,Aix-Noulette,3906,216200196,246200364
62032,Angres,4526,216200329,246200364
62033,Annay,4337,216200337,246200364
62065,Avion,17622,216200659,246200364
62107,Bénifontaine,356,216201079,246200364
62133,Billy-Montigny,8150,216201335,246200364
62170,Bouvigny-Boyeffles,2403,216201707,246200364
62186,Bully-les-Mines,12163,216201863,246200364
62213,Carency,750,216202135,246200364
62291,Éleu-dit-Leauwette,2920,216202911,246200364
62311,Estevelles,2044,216203117,246200364
62351,Fouquières-lès-Lens,6362,216203513,246200364
62371,Givenchy-en-Gohelle,1947,216203711,246200364
62380,Gouy-Servins,344,216203802,246200364
62386,Grenay,6932,216203869,246200364
62413,Harnes,12354,216204131,246200364
62464,Hulluch,3448,216204644,246200364
62498,Lens,31415,216204982,246200364
62510,Liévin,30785,216205104,246200364
62523,Loison-sous-Lens,5410,216205237,246200364
62528,Loos-en-Gohelle,6751,216205286,246200364
62563,Mazingarbe,8053,216205633,246200364
62570,Méricourt,11363,216205708,246200364
62573,Meurchin,3786,216205732,246200364
62628,Noyelles-sous-Lens,6561,216206284,246200364
62666,Pont-à-Vendin,3187,216206664,246200364
62737,Sains-en-Gohelle,6145,216207373,246200364
62771,Sallaumines,9715,216207712,246200364
62793,Servins,1093,216207936,246200364
62801,Souchez,2496,216208017,246200364
62842,Vendin-le-Vieil,8608,216208421,246200364
62854,Villers-au-Bois,568,216208546,246200364
62861,Vimy,4265,216208611,246200364
62895,Wingles,8770,216208959,246200364
"""

OBJECTIVES = (
    ObjectiveSpec(
        "Petite enfance",
        "Favoriser un développement équilibré de l'offre d'accueil collectif 0/6 ans en rendant "
        "visible l'instance départementale d'informations et d'échanges pour les porteurs de "
        "projets EAJE (établissement d'accueil du jeune enfant) et MAM (maison d'assistantes "
        "maternelles), et en créant des équipes multi partenariales pour travailler les projets "
        "locaux.",
    ),
    ObjectiveSpec(
        "Parentalité",
        "Soutenir et accompagner la professionnalisation et le renouvellement des assistantes maternelles.",
    ),
    ObjectiveSpec("Parentalité", 'Étudier la faisabilité d\'une "Halte répit familles".'),
    ObjectiveSpec(
        "Jeunesse",
        "Proposer une offre harmonisée et développer un réseau jeunesse sur un territoire.",
    ),
    ObjectiveSpec(
        "Logement",
        "Poursuivre la dynamique territoriale en faveur de l'accès et le maintien dans le "
        "logement avec une attention particulière envers les publics en situation de précarité.",
    ),
    ObjectiveSpec(
        "Animation de la vie sociale",
        "Poursuivre les accompagnements des équipements actuels.",
    ),
    ObjectiveSpec("Animation de la vie sociale", "Accompagner et qualifier les actifs bénévoles."),
    ObjectiveSpec(
        "Animation de la vie sociale",
        'Soutenir le développement des équipements sur les zones "blanches".',
    ),
    ObjectiveSpec("Animation de la vie sociale", "Création d'un pôle d'ingénierie sur le territoire."),
)

PREAMBLE = """\
La Convention Territoriale Globale est une démarche stratégique partenariale qui a pour
objectif d'élaborer le projet de territoire pour le maintien et le développement des services
aux familles et la mise en place de toute action favorable aux allocataires dans leur ensemble.

Ce projet est établi à partir d'un diagnostic partagé tenant compte de l'ensemble des
problématiques du territoire. L'échelle d'élaboration du projet est celle de
l'intercommunalité ; la convention est cosignée par chaque maire.
"""

STEERING = """\
Un comité de pilotage réunit la Caf, la Communauté d'Agglomération et les communes membres :
il suit la mise en œuvre du plan d'action et se réunit au moins une fois par an.
"""

# Only the mayor of Loison-sous-Lens is named by a document we hold.
HOLDERS = {"62523": "Daniel Kruszka"}

MUNICIPAL = "dûment habilité par délibération de son conseil municipal"

# The CAF's SIREN here is fictitious (passes the check digit only).
CAF = PartySpec(
    "Caisse d'Allocations Familiales du Pas-de-Calais",
    "Caisse d'Allocations Familiales",
    "778800003",
    capacity="dûment habilité par délibération de son conseil d'administration",
)
EPCI = PartySpec(
    "Communauté d'Agglomération de Lens-Liévin",
    "Établissement public de coopération intercommunale",
    "246200364",
    capacity="dûment habilité par délibération du conseil communautaire",
)


def communes() -> tuple[PartySpec, ...]:
    """The 36 member communes, as parties."""
    rows = csv.reader(io.StringIO(COMMUNES_CSV))
    return tuple(PartySpec(name, "Commune", siren, insee, int(pop), MUNICIPAL)
                 for insee, name, pop, siren, _epci in rows)


def signatories(parties: tuple[PartySpec, ...]) -> tuple[SignatorySpec, ...]:
    """The mayors (stage 1), then the EPCI's president (2), then the CAF's director (3)."""
    mayors = tuple(
        SignatorySpec(f"maire_{p.insee}", "Maire", f"Commune de {p.name}", 1, HOLDERS.get(p.insee or ""))
        for p in parties
    )
    return (
        *mayors,
        SignatorySpec("president_epci", "Président", EPCI.name, 2),
        SignatorySpec("directeur_caf", "Directeur", CAF.name, 3),
    )


def articles() -> tuple[ArticleSpec, ...]:
    """The default CTG model's articles with the demo's local wording."""
    local = dict(ctg_text.LOCAL_ARTICLES)
    return tuple(ArticleSpec(title, local.get(title, text)) for title, text in CTG_ARTICLES)


def demo_spec(
    title: str = "Convention Territoriale Globale de Lens-Liévin 2023-2026",
) -> ConventionSpec:
    """The demo CTG: CAF, EPCI and 36 communes, 38 signatories."""
    parties = communes()
    return ConventionSpec(
        title=title,
        reference="CTG-62-CALL-2023",
        kind_label="Convention Territoriale Globale",
        lead=EPCI,
        caf=CAF,
        parties=parties,
        start=date(2023, 1, 1),
        end=date(2026, 12, 31),
        preamble=CTG_PREAMBLE,
        objectives=OBJECTIVES,
        steering_committee=STEERING,
        signatories=signatories(parties),
        version_note="Version soumise à la signature",
        stages=(
            StageSpec(1, "Étape 1 — Les communes membres"),
            StageSpec(2, "Étape 2 — La Communauté d'Agglomération"),
            StageSpec(3, "Étape 3 — La Caisse d'Allocations Familiales"),
        ),
        visas=tuple(CTG_VISAS.splitlines()),
        articles=articles(),
        actions=tuple(ActionSpec(*row) for row in ctg_text.ACTIONS),
        diagnostic=ctg_text.DIAGNOSTIC,
        signing_place=ctg_text.PLACE,
        parties_note=(
            "Numéros SIREN des communes déduits de leur code INSEE, non vérifiés au répertoire "
            "SIRENE (sauf Loison-sous-Lens)."
        ),
    )


# The Département and the MSA, to reach the 40 signatories of the benchmarks (SIRENs fictitious:
# they pass the check digit only).
PARTNERS = (
    PartySpec("Département du Pas-de-Calais", "Département", "226200012",
              capacity="dûment habilité par délibération de la commission permanente"),
    PartySpec("MSA Nord-Pas de Calais", "Mutualité sociale agricole", "775500002",
              capacity="dûment habilité par délibération de son conseil d'administration"),
)


def demo_spec_40() -> ConventionSpec:
    """The demo CTG with the Département and the MSA as partners: 40 signatories."""
    spec = demo_spec()
    extra = (SignatorySpec("president_departement", "Président", PARTNERS[0].name, 3),
             SignatorySpec("president_msa", "Président", PARTNERS[1].name, 3))
    return replace(spec, partners=PARTNERS, signatories=spec.signatories + extra)
