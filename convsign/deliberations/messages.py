"""French sentences for the coded problems of convsign.rules (@ctes identifiers, deliberation rules)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from convsign.i18n import short_date


def actes_message(code: str, details: dict[str, Any]) -> str:
    """Why an @ctes identifier is refused, for the `actes_identifier` field."""
    if code == "siren_checksum":
        return str(
            _(
                "Le SIREN de cet identifiant @ctes (%(siren)s) est incorrect : sa clé de contrôle ne correspond pas.",
                siren=details.get("siren", ""),
            )
        )
    if code == "decision_date":
        return str(
            _(
                "La date de cet identifiant @ctes (%(value)s) n'existe pas : elle s'écrit AAAAMMJJ.",
                value=details.get("value", ""),
            )
        )
    if code == "internal_number":
        return str(
            _(
                "Le numéro interne de cet identifiant @ctes compte %(n)s caractères : il en compte de 1 à 15 "
                "(lettres, chiffres, tirets, soulignés ou espaces), et commence et finit par une lettre ou un "
                "chiffre.",
                n=details.get("length", "?"),
            )
        )
    if code == "nature":
        return str(
            _(
                "La nature « %(nature)s » de cet identifiant @ctes est inconnue : DE, AR, AI, CC, BF ou AU.",
                nature=details.get("nature", ""),
            )
        )
    return str(
        _(
            "Cet identifiant @ctes n'a pas la forme attendue : département, SIREN, date, numéro interne et "
            "nature, séparés par des tirets (par exemple 062-216205237-20221213-del-131222-330-DE)."
        )
    )


def mismatch_message(code: str, details: dict[str, str], authority: str) -> str:
    """Why a well-formed @ctes identifier is not that of this deliberation."""
    if code == "siren_mismatch":
        return str(
            _(
                "Cet identifiant @ctes porte le SIREN %(found)s, qui n'est pas celui de %(name)s (%(expected)s).",
                found=details["found"],
                name=authority,
                expected=details["expected"],
            )
        )
    if code == "date_mismatch":
        return str(
            _(
                "La date de cet identifiant @ctes (%(found)s) n'est pas la date de la séance (%(expected)s).",
                found=_iso_fr(details["found"]),
                expected=_iso_fr(details["expected"]),
            )
        )
    return str(
        _(
            "Cet identifiant @ctes est celui d'un acte de nature %(found)s : une délibération est de nature DE.",
            found=details.get("found", ""),
        )
    )


def _iso_fr(value: str) -> str:
    from datetime import date

    return short_date(date.fromisoformat(value))


def rule_message(code: str) -> str:
    """A French sentence for a problem code of convsign.rules.deliberation_rules."""
    messages = {
        "convocation_after_session": _("La convocation ne peut pas être postérieure à la séance."),
        "sent_before_session": _("La transmission en préfecture ne peut pas précéder la séance."),
        "acknowledged_without_transmission": _("Indiquez d'abord la date de transmission en préfecture."),
        "acknowledged_before_sent": _("L'accusé de réception ne peut pas précéder la transmission."),
        "published_before_session": _("La publication ne peut pas précéder la séance."),
        "executory_without_transmission": _(
            "Une délibération n'est exécutoire qu'après sa transmission en préfecture : indiquez la date d'envoi."
        ),
        "executory_without_publication": _(
            "Une délibération n'est exécutoire qu'après sa publication : indiquez "
            "la date de publication ou d'affichage."
        ),
        "executory_before_transmission": _(
            "La date « certifié exécutoire » ne peut pas précéder la transmission en préfecture."
        ),
        "executory_before_publication": _("La date « certifié exécutoire » ne peut pas précéder la publication."),
        "no_members": _("Le conseil compte au moins un membre en exercice."),
        "more_present_than_in_office": _("Il ne peut pas y avoir plus de membres présents que de membres en exercice."),
        "more_voters_than_in_office": _(
            "Présents et représentés ensemble ne peuvent pas dépasser les membres en exercice."
        ),
        "more_proxies_than_present": _(
            "Chaque membre présent ne peut détenir qu'un seul pouvoir : il y a plus de représentés que de présents."
        ),
        "no_quorum": _("Le quorum n'est pas atteint : la majorité des membres en exercice doit être présente."),
        "unanimous_with_dissent": _("Un vote à l'unanimité ne compte ni voix contre ni abstention."),
        "votes_missing": _("Indiquez le nombre de voix pour, ou cochez « unanimité »."),
        "negative_votes": _("Les nombres de voix ne peuvent pas être négatifs."),
        "more_votes_than_voters": _(
            "Pour, contre et abstentions ensemble dépassent le nombre de votants (présents et représentés)."
        ),
        "not_adopted": _("Avec autant ou plus de voix contre que pour, la délibération n'est pas adoptée."),
    }
    return str(messages.get(code, _("Cette valeur est incohérente avec le reste de la délibération.")))
