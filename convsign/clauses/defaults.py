# ruff: noqa: E501  (prose: one paragraph a line, as staff edit it)
"""The default models shipped with convsign (version 1 of each type), as plain data.

Migration 0007 seeds them, and `convsign.clauses.services.default_model` creates them when a
database was built without migrations. Change a default by saving a new version in the app
(Administration › Modèles de convention), never by editing this text: conventions keep the
version they were drafted from.

Texts use the clause markup of `convsign.pdf.markup` (paragraphs, « - » lists, *italique*,
**gras**, ``{nom}`` values and the ``{objectifs}`` / ``{comite_de_pilotage}`` blocks).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultModel:
    """A convention type's default model: title pattern, preamble, visas, place, articles."""

    kind: str
    title_pattern: str
    preamble: str
    visas: str
    place: str
    articles: tuple[tuple[str, str], ...]


CTG_VISAS = """\
Vu le code général des collectivités territoriales, notamment ses articles L. 2121-29 et L. 5211-1 et suivants ;
Vu le code de la sécurité sociale, notamment son article L. 263-1 relatif à l'action sociale des caisses d'allocations familiales ;
Vu la convention d'objectifs et de gestion conclue entre l'État et la Caisse nationale des allocations familiales, en vigueur à la date de la signature ;
Vu la délibération du conseil d'administration de la {caf} approuvant la présente convention ;
Vu la délibération du conseil communautaire de la {intercommunalite} autorisant son président à signer la présente convention ;
Vu les délibérations des conseils municipaux des communes membres autorisant leur maire à signer la présente convention ;"""

CTG_PREAMBLE = """\
La Convention Territoriale Globale (CTG) est une démarche stratégique partenariale qui a pour objectif d'élaborer le projet de territoire pour le maintien et le développement des services aux familles, et la mise en place de toute action favorable aux allocataires dans leur ensemble.

Elle succède au Contrat Enfance Jeunesse. Elle repose sur un diagnostic partagé, tenant compte de l'ensemble des problématiques du territoire, dont la synthèse figure en annexe ; elle a pour objet :

- d'identifier les besoins prioritaires du territoire ;
- de définir les champs d'intervention à privilégier au regard de l'écart entre l'offre et les besoins ;
- de pérenniser et d'optimiser l'offre de services existante, par une mobilisation de cofinancements ;
- de développer des actions nouvelles répondant à des besoins non satisfaits par les services existants.

Le projet est élaboré à l'échelle de l'intercommunalité ; la convention est toutefois cosignée par chaque maire des communes membres, après délibération de son conseil municipal."""

CTG_ARTICLES: tuple[tuple[str, str], ...] = (
    ("Objet de la convention", """\
La présente convention a pour objet de définir le projet stratégique global du territoire et ses modalités de mise en œuvre, à partir des besoins identifiés par le diagnostic partagé.

Elle précise les champs d'intervention retenus, les objectifs partagés, les engagements de chacune des parties et les modalités de pilotage, de suivi et d'évaluation de la démarche."""),
    ("Périmètre", """\
La convention s'applique au territoire de la {intercommunalite} et de ses {nombre_communes} communes membres, dont la liste, avec leur code INSEE et leur population, figure en {annexe_communes}.

Chacune des communes membres est partie à la convention et la signe pour ce qui la concerne."""),
    ("Durée", """\
La présente convention est conclue pour la période {periode}.

Elle prend effet à la date de la dernière signature électronique des parties ; ses dispositions s'appliquent à compter du {debut}. Elle prend fin le {fin}, sans tacite reconduction. Les parties engagent, au cours de la dernière année, les travaux préparatoires à son éventuel renouvellement."""),
    ("Champs d'intervention et objectifs partagés", """\
Au regard du diagnostic partagé, les parties retiennent les champs d'intervention et les objectifs suivants :

{objectifs}

Ces objectifs sont déclinés en actions dans le plan d'action figurant en {annexe_plan}, qui précise pour chacune le pilote et le calendrier."""),
    ("Engagements de la Caisse d'Allocations Familiales", """\
La {caf} s'engage à :

- mobiliser son expertise et ses données pour le suivi du diagnostic et l'évaluation de la démarche ;
- accompagner les porteurs de projets dans l'élaboration et la mise en œuvre des actions inscrites au plan d'action ;
- mobiliser ses financements de droit commun (prestations de service) et, selon ses règles d'intervention, ses fonds locaux, dans la limite des crédits dont elle dispose ;
- désigner un référent chargé de l'animation de la convention avec l'intercommunalité."""),
    ("Engagements de l'intercommunalité", """\
La {intercommunalite} s'engage à :

- coordonner la démarche à l'échelle du territoire et en assurer l'animation, notamment par la mobilisation d'un chargé de coopération ;
- réunir le comité de pilotage et le comité technique prévus à l'article relatif au pilotage et à la gouvernance ;
- mettre en œuvre les actions relevant de ses compétences et associer les communes membres à celles qui les concernent ;
- transmettre à la Caf les éléments nécessaires au suivi et à l'évaluation de la convention."""),
    ("Engagements des communes membres", """\
Chaque commune membre s'engage à :

- participer aux instances de pilotage et aux groupes de travail de la convention ;
- mettre en œuvre, pour ce qui la concerne, les actions inscrites au plan d'action et en rendre compte ;
- maintenir, dans la mesure de ses moyens, l'offre de services aux familles existante sur son territoire ;
- informer ses habitants des services aux familles disponibles sur le territoire."""),
    ("Pilotage et gouvernance", """\
{comite_de_pilotage}

Le comité de pilotage réunit des représentants de la Caf, de l'intercommunalité et des communes membres. Il se réunit au moins une fois par an ; il valide le plan d'action et ses évolutions, et examine le bilan annuel.

Un comité technique, composé des techniciens des parties, prépare les travaux du comité de pilotage et suit la mise en œuvre des actions. Il se réunit au moins deux fois par an."""),
    ("Suivi et évaluation", """\
Les parties conviennent d'indicateurs de suivi pour chaque objectif (offre d'accueil, fréquentation des services, publics touchés, moyens mobilisés). Un bilan annuel est présenté au comité de pilotage.

Une évaluation finale est conduite au cours de la dernière année de la convention ; elle mesure l'atteinte des objectifs et prépare le diagnostic de la convention suivante."""),
    ("Communication", """\
Les parties s'engagent à faire mention de la Convention Territoriale Globale et du soutien de la Caf dans toute communication relative aux actions qu'elle prévoit, dans le respect de la charte graphique de chacune."""),
    ("Révision", """\
La présente convention peut être modifiée par avenant, à la demande de l'une des parties, après avis du comité de pilotage. L'avenant est approuvé et signé dans les mêmes formes que la convention.

L'actualisation du plan d'action validée par le comité de pilotage ne requiert pas d'avenant lorsqu'elle ne modifie pas les objectifs."""),
    ("Résiliation", """\
En cas de non-respect par l'une des parties de ses engagements, la convention peut être résiliée par l'une des autres parties, à l'expiration d'un délai de trois mois suivant l'envoi d'une lettre recommandée avec accusé de réception valant mise en demeure restée sans effet.

La résiliation ne remet pas en cause les actions engagées et financées à sa date."""),
    ("Règlement des litiges", """\
Les parties s'efforcent de régler à l'amiable tout différend relatif à l'interprétation ou à l'exécution de la présente convention.

À défaut d'accord dans un délai de deux mois, le litige est porté devant le tribunal administratif territorialement compétent."""),
)

GENERIC_VISAS = """\
Vu le code général des collectivités territoriales ;
Vu les délibérations des organes délibérants des parties autorisant la signature de la présente convention ;"""

GENERIC_ARTICLES: tuple[tuple[str, str], ...] = (
    ("Objet", "La présente convention a pour objet de définir les conditions du partenariat entre les parties.\n\n"
              "{objectifs}"),
    ("Durée", "La présente convention est conclue pour la période {periode}. Elle prend effet à la date de la "
              "dernière signature électronique des parties."),
    ("Engagements des parties", "Chacune des parties s'engage à mettre en œuvre les actions qui la concernent."),
    ("Suivi", "Les parties se réunissent au moins une fois par an pour dresser le bilan de la convention.\n\n"
              "{comite_de_pilotage}"),
    ("Révision", "La présente convention peut être modifiée par avenant signé dans les mêmes formes."),
    ("Résiliation", "La convention peut être résiliée par l'une des parties moyennant un préavis de trois mois, "
                    "par lettre recommandée avec accusé de réception."),
    ("Règlement des litiges", "À défaut d'accord amiable, tout litige est porté devant le tribunal administratif "
                              "territorialement compétent."),
)




def typeset(text: str) -> str:
    """Shipped wording with typographic apostrophes: clause texts are printed as stored, as typed."""
    return text.replace("'", "\u2019")


def typeset_articles(articles: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Each article's title and text, typeset."""
    return tuple((typeset(title), typeset(body)) for title, body in articles)


CTG_VISAS, CTG_PREAMBLE, GENERIC_VISAS = typeset(CTG_VISAS), typeset(CTG_PREAMBLE), typeset(GENERIC_VISAS)
CTG_ARTICLES, GENERIC_ARTICLES = typeset_articles(CTG_ARTICLES), typeset_articles(GENERIC_ARTICLES)

DEFAULTS = {
    "ctg": DefaultModel("ctg", "Convention Territoriale Globale {debut_annee}-{fin_annee}", CTG_PREAMBLE,
                        CTG_VISAS, "", CTG_ARTICLES),
    "autre": DefaultModel("autre", "Convention de partenariat {debut_annee}-{fin_annee}", "", GENERIC_VISAS, "",
                          GENERIC_ARTICLES),
}
