"""The verification report in words (French first), for the page and the command line, and as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_datetime
from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from convsign.i18n import long_date
from convsign.pdf.validation import DocumentReport, SignatureReport
from convsign.verification.services import Placement


@dataclass(frozen=True)
class SignatureLine:
    """One signature as the report shows it."""

    field: str
    kind: str
    signer: str
    issuer: str
    signing_time: str
    timestamp_time: str
    intact: bool
    trusted: bool
    covers: str
    modified_after: str
    level: str
    revocation: str | None
    ok: bool
    problem: str | None


def precise_datetime(moment: datetime | None) -> str:
    """'13 décembre 2022 à 10:05:31 (heure de Paris)': to the second, as timestamps are."""
    if moment is None:
        return str(_("non indiquée"))
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    locale = str(get_locale() or "fr")
    clock = format_datetime(moment, "HH:mm:ss", tzinfo=tz, locale=locale)
    return str(_("%(day)s à %(clock)s (heure de Paris)", day=long_date(_in_tz(moment, tz)), clock=clock))


def _in_tz(moment: datetime, tz: str) -> datetime:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz))


def kind_label(kind: str, platform_seal: bool = False) -> str:
    """What sort of signature it is; "sceau de la plateforme" only for this platform's own seal."""
    if kind == "certification" and platform_seal:
        return str(_("certification (sceau de la plateforme)"))
    return str(
        {
            "approval": _("signature"),
            "certification": _("certification"),
            "doc_timestamp": _("horodatage du document"),
        }.get(kind, kind)
    )


def modified_label(modified_after: str) -> str:
    """What changed in the file after the signature."""
    return str(
        {
            "none": _("rien"),
            "form_filling": _("remplissage de formulaire et signatures"),
            "other": _("autre modification"),
        }.get(modified_after, modified_after)
    )


def covers_label(report: SignatureReport) -> str:
    """What the signature covers: the whole file, or its own revision with later ones after it."""
    if report.covers_whole_document:
        return str(_("tout le document"))
    return str(_("la version du document qu'elle a signée ; d'autres révisions ont suivi"))


def revocation_label(report: SignatureReport) -> str | None:
    """A revoked certificate, and whether the timestamp proves the signature came first; or
    revocation that could not be checked (a certificate from outside, offline)."""
    if report.revoked_at is None and not report.revocation_checked:
        return str(
            _(
                "révocation non vérifiée : aucune liste de révocation de l'émetteur ni réponse OCSP "
                "n'était disponible (vérification hors ligne)"
            )
        )
    if report.revoked_at is None:
        return None
    when = long_date(report.revoked_at)
    if report.timestamp_time is not None and report.timestamp_time < report.revoked_at:
        return str(_("certificat révoqué le %(date)s, après la signature : la signature reste valide", date=when))
    return str(
        _(
            "certificat révoqué le %(date)s, avant la signature ou sans horodatage qui prouve le contraire : "
            "la signature n'est pas valide",
            date=when,
        )
    )


def problem_label(code: str | None, fields: tuple[str, ...] = ()) -> str | None:
    """Why a signature is not valid, from its machine code (and the form fields changed)."""
    if code is None:
        return None
    if code == "field_modified":
        names = ", ".join(f"« {name} »" for name in fields)
        return str(_("contenu modifié après la signature : champ %(names)s", names=names))
    problems = {
        "not_intact": _("signature rompue : le fichier a été modifié après la signature"),
        "invalid_signature": _("la valeur de la signature ne correspond pas"),
        "signature_invalid": _("la signature est corrompue"),
        "revoked": _("le certificat est révoqué"),
        "untrusted": _("le certificat ne remonte à aucune autorité de confiance de cette plateforme"),
        "illegal_modification": _("le document a été modifié après la signature, au-delà de ce qui est permis"),
        "timestamp_invalid": _("l'horodatage n'est pas valide"),
        "unsupported": _("un algorithme refusé a été employé"),
        "unreadable_signature": _("la signature est illisible"),
    }
    return str(problems.get(code, _("la signature n'a pas pu être validée")))


def signature_title(report: SignatureReport, office: str | None = None) -> str:
    """Whose signature this is, in words: the office and commune, the platform, or (a foreign PDF) its field."""
    if office:
        return office
    if report.kind == "certification":
        if report.platform_seal:
            return str(_("certification de la plateforme"))
        return str(_("certification « %(field)s »", field=report.field))
    if report.kind == "doc_timestamp":
        return str(_("horodatage d'archivage du document"))
    return str(_("champ « %(field)s »", field=report.field))


def signature_line(report: SignatureReport, office: str | None = None) -> SignatureLine:
    """A signature's report in words; `office` names the signatory slot when the document is one of ours."""
    return SignatureLine(
        field=signature_title(report, office),
        kind=kind_label(report.kind, report.platform_seal),
        signer=report.signer or str(_("inconnu")),
        issuer=report.issuer or str(_("inconnu")),
        signing_time=precise_datetime(report.signing_time),
        timestamp_time=precise_datetime(report.timestamp_time) if report.timestamp_time else str(_("aucun")),
        intact=report.intact,
        trusted=report.trusted,
        covers=covers_label(report),
        modified_after=modified_label(report.modified_after),
        level=report.pades_level or "—",
        revocation=revocation_label(report),
        ok=report.ok,
        problem=problem_label(report.error, report.modified_fields),
    )


def verdict(report: DocumentReport) -> str:
    """The verdict on the whole document."""
    if not report.signatures:
        return str(_("Ce PDF ne contient aucune signature : rien ne garantit son origine ni son intégrité."))
    if report.only_timestamps:
        return str(
            _(
                "Document NON valide : aucune signature, seulement un horodatage. Un horodatage prouve "
                "seulement que ce fichier existait à cette date ; n'importe qui peut en obtenir un."
            )
        )
    if report.valid:
        return str(
            _(
                "Document valide : chaque signature est intacte et de confiance, et seuls du remplissage "
                "de formulaire et d'autres signatures les ont suivies."
            )
        )
    return str(
        _(
            "Document NON valide : au moins une signature est rompue, non fiable, ou suivie d'une autre "
            "modification du document."
        )
    )


def unsigned_changes_label(report: DocumentReport) -> str | None:
    """What follows the newest signature unsigned, if anything (PAdES may still accept it)."""
    if not report.unsigned_changes_after_last_signature:
        return None
    parts = []
    if report.unsigned_revisions:
        parts.append(
            str(
                ngettext(
                    "%(num)s révision ajoutée au fichier sans signature",
                    "%(num)s révisions ajoutées au fichier sans signature",
                    report.unsigned_revisions,
                )
            )
        )
    if report.trailing_bytes:
        parts.append(str(_("des octets ajoutés après la fin du fichier")))
    return str(
        _(
            "Des modifications non signées suivent la dernière signature : %(what)s. Les règles PAdES "
            "peuvent les tolérer (titre, métadonnées, champ vide), mais personne ne les a signées.",
            what=" ; ".join(parts),
        )
    )


def placement_label(found: Placement) -> str:
    """Whether the file is the current revision of a convention of this instance."""
    if not found.known:
        return str(
            _(
                "Ce fichier est inconnu de cette plateforme : ce n'est aucune des révisions qu'elle a "
                "enregistrées (un seul octet de différence suffit)."
            )
        )
    if found.title is None:
        if found.is_current:
            return str(_("Révision %(n)s d'une convention de cette plateforme, à jour.", n=found.revision_number))
        return str(
            _(
                "Révision %(n)s d'une convention de cette plateforme, qui n'est PLUS la version en cours : la "
                "convention compte %(m)s révisions.",
                n=found.revision_number,
                m=found.revision_count,
            )
        )
    if found.is_current:
        return str(
            _("Révision %(n)s de la convention « %(title)s », à jour.", n=found.revision_number, title=found.title)
        )
    return str(
        _(
            "Révision %(n)s de la convention « %(title)s », qui n'est PLUS la version en cours : la convention "
            "compte %(m)s révisions.",
            n=found.revision_number,
            title=found.title,
            m=found.revision_count,
        )
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def report_json(report: DocumentReport, found: Placement) -> dict[str, Any]:
    """The report as a JSON object: `valid`, `signatures` (one object each), level, identification."""
    return {
        "valid": report.valid,
        "level": report.level,
        "revision_count": report.revision_count,
        "only_timestamps": report.only_timestamps,
        "unsigned_changes_after_last_signature": report.unsigned_changes_after_last_signature,
        "unsigned_revisions_after_last_signature": report.unsigned_revisions,
        "bytes_after_last_revision": report.trailing_bytes,
        "verdict": verdict(report),
        "unsigned_changes": unsigned_changes_label(report),
        "signatures": [signature_json(s) for s in report.signatures],
        "convention": None
        if not found.known
        else {
            "id": found.convention_id,
            "title": found.title,
            "revision": found.revision_number,
            "revision_count": found.revision_count,
            "is_current": found.is_current,
        },
    }


def signature_json(report: SignatureReport) -> dict[str, Any]:
    """One signature as JSON; times in ISO 8601 (UTC) or null."""
    return {
        "field": report.field,
        "kind": report.kind,
        "signer": report.signer,
        "issuer": report.issuer,
        "signing_time": _iso(report.signing_time),
        "timestamp": _iso(report.timestamp_time),
        "intact": report.intact,
        "valid": report.ok,
        "trusted": report.trusted,
        "revoked_at": _iso(report.revoked_at),
        "covers_whole_document": report.covers_whole_document,
        "revision": report.revision,
        "modified_after": report.modified_after,
        "pades_level": report.pades_level,
        "error": report.error,
        "problem": problem_label(report.error, report.modified_fields),
        "modified_fields": list(report.modified_fields),
        "platform_seal": report.platform_seal,
        "revocation_checked": report.revocation_checked,
    }
