# ruff: noqa: E501  (prose: one paragraph a line, as staff edit it)
"""The demo CTG's own text: its diagnostic summary, action plan and local articles (pure data).

The objectives are the real ones of the Loison-sous-Lens deliberation of 13 December 2022; the
diagnostic's figures and the action plan below are ILLUSTRATIVE, written for the demonstration,
and the document says so where they appear. Shared by the app's demo and the document benchmark.
"""

from __future__ import annotations

from convsign.clauses.defaults import CTG_ARTICLES, typeset

ILLUSTRATIVE = ("*Contenu illustratif, rédigé pour la démonstration de convsign : il ne reproduit pas le "
                "document signé par les parties.*")

DIAGNOSTIC = f"""\
{ILLUSTRATIVE}

Le territoire de la Communauté d'Agglomération de Lens-Liévin compte 36 communes et près de 250 000 habitants, dans l'ancien bassin minier du Pas-de-Calais. Le diagnostic partagé, conduit avec les communes, les services de la Caf et les partenaires du territoire, relève notamment :

- une offre d'accueil du jeune enfant inégalement répartie, concentrée dans les villes-centres, et des communes rurales du sud du territoire sans établissement d'accueil ;
- un nombre d'assistantes maternelles en baisse, avec de nombreux départs en retraite attendus d'ici 2026 ;
- une offre de loisirs pour les 11-17 ans peu coordonnée d'une commune à l'autre ;
- des familles monoparentales et des ménages à bas revenus plus nombreux que la moyenne départementale, et des difficultés d'accès et de maintien dans le logement ;
- des centres sociaux et espaces de vie sociale actifs, mais des zones « blanches » sans équipement d'animation de la vie sociale.

Ces constats ont fondé les objectifs retenus à l'article 4 et le plan d'action figurant en annexe."""

STEERING = """\
Le comité de pilotage de la Convention Territoriale Globale est présidé conjointement par le président de la Communauté d'Agglomération et par le directeur de la Caf, ou leurs représentants."""

# (objective, action, lead party, calendar): illustrative.
ACTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("Petite enfance : équilibrer l'offre d'accueil 0-6 ans",
     "Faire connaître l'instance départementale d'information des porteurs de projets EAJE et MAM ; équipes "
     "multi partenariales par projet local", "CALL, Caf", "2023-2026"),
    ("Petite enfance : équilibrer l'offre d'accueil 0-6 ans",
     "Étude d'implantation d'une micro-crèche dans une commune du sud du territoire", "Communes concernées",
     "2024"),
    ("Parentalité : professionnaliser les assistantes maternelles",
     "Formations et temps d'échange animés par les relais petite enfance ; campagne de recrutement",
     "CALL (relais petite enfance)", "2023-2025"),
    ("Parentalité : halte répit familles",
     "Étude de faisabilité d'une « Halte répit familles », puis expérimentation si elle est concluante",
     "CALL, Caf", "2024-2025"),
    ("Jeunesse : une offre harmonisée", "Création d'un réseau des animateurs jeunesse des communes ; "
     "programme commun de vacances pour les 11-17 ans", "Communes, CALL", "2023-2026"),
    ("Logement : accès et maintien dans le logement",
     "Coordination des aides au logement et repérage des situations de précarité avec les bailleurs",
     "Caf, CALL", "2023-2026"),
    ("Animation de la vie sociale : équipements actuels",
     "Accompagnement des projets sociaux des centres sociaux lors de leur renouvellement d'agrément",
     "Caf", "2023-2026"),
    ("Animation de la vie sociale : bénévoles", "Formation des bénévoles des associations et des espaces de vie "
     "sociale", "Centres sociaux, Caf", "2024-2026"),
    ("Animation de la vie sociale : zones « blanches »",
     "Soutien à la création d'espaces de vie sociale dans les communes sans équipement", "Communes, Caf",
     "2024-2026"),
    ("Animation de la vie sociale : ingénierie", "Création d'un pôle d'ingénierie partagé à l'échelle de "
     "l'agglomération", "CALL", "2025"),
)

# Local wording of the Lens-Liévin convention, by article title (the rest is the default model).
LOCAL_ARTICLES = {
    "Règlement des litiges": (
        "Les parties s'efforcent de régler à l'amiable tout différend relatif à l'interprétation ou à "
        "l'exécution de la présente convention.\n\nÀ défaut d'accord dans un délai de deux mois, le litige est "
        "porté devant le tribunal administratif de Lille."),
}
_PLAN_NOTE = ("\n\nLe plan d'action de la présente démonstration est illustratif : ses actions, pilotes et "
             "calendriers ont été rédigés pour la démonstration de convsign.")
PLACE = "Liévin"

_OBJECTIVES_ARTICLE = typeset("Champs d'intervention et objectifs partagés")
LOCAL_ARTICLES = {typeset(title): typeset(text) for title, text in LOCAL_ARTICLES.items()}
LOCAL_ARTICLES[_OBJECTIVES_ARTICLE] = dict(CTG_ARTICLES)[_OBJECTIVES_ARTICLE] + typeset(_PLAN_NOTE)
# The demo's own wording is set like the shipped defaults (clause texts print as stored).
DIAGNOSTIC, STEERING = typeset(DIAGNOSTIC), typeset(STEERING)
ACTIONS = tuple((typeset(a), typeset(b), typeset(c), typeset(d)) for a, b, c, d in ACTIONS)
