"""The evidence file's sentences: times, deliberations, each slot's outcome, each signature's facts."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from convsign.documents import services as documents
from convsign.i18n import long_date
from convsign.models import Convention, ConventionParty, Deliberation, Signatory, SlotState
from convsign.pdf.evidence import CertificateFacts, EvidenceSignature, certificate_facts
from convsign.pdf.validation import SignatureReport, validate_document
from convsign.trust import platform
from convsign.verification import report as verification


def moment(at: datetime | None) -> str:
    """Paris time to the second, and the same instant in UTC (what the machines recorded)."""
    if at is None:
        return str(_("non indiquée"))
    return f"{verification.precise_datetime(at)}, {at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def deliberation(found: Deliberation | None, party: ConventionParty) -> str | None:
    """'délibération n° 2022-131 du 13 décembre 2022, @ctes 062-…-DE, exécutoire le 20 décembre 2022'."""
    if found is None and not party.deliberation_required:
        waived = str(_("délibération non exigée"))
        return f"{waived} ({party.waiver_reason})" if party.waiver_reason else waived
    if found is None:
        return str(_("aucune délibération enregistrée"))
    parts = [str(_("délibération n° %(n)s du %(date)s", n=found.number or "—", date=long_date(found.session_date)))]
    if found.actes_identifier:
        parts.append(str(_("identifiant @ctes %(id)s", id=found.actes_identifier)))
    parts.append(
        str(_("exécutoire le %(date)s", date=long_date(found.executory_on)))
        if found.executory_on
        else str(_("pas encore exécutoire"))
    )
    return ", ".join(parts)


def outcome(slot: Signatory) -> str:
    """Where the slot stands: signed (when, by whom, which revision), refused (why), or unsigned."""
    if slot.state == SlotState.SIGNED:
        return str(
            _(
                "Signé le %(when)s par %(who)s (révision n° %(n)s).",
                when=moment(slot.signed_at),
                who=slot.signed_by.name if slot.signed_by else "—",
                n=slot.signed_revision,
            )
        )
    if slot.state == SlotState.REFUSED:
        return str(
            _(
                "Non signé : refus le %(when)s par %(who)s, motif : « %(reason)s ».",
                when=moment(slot.refused_at),
                who=slot.refused_by.name if slot.refused_by else "—",
                reason=slot.refusal_reason or "—",
            )
        )
    return str(_("Non signé."))


def signatures(convention: Convention) -> tuple[tuple[EvidenceSignature, ...], str]:
    """Each signature of the latest revision with its certificate and timestamp, and the verdict."""
    if not convention.latest_sha256:
        return (), str(_("Aucun document n'a encore été produit."))
    pdf = documents.latest_content(convention)
    result = validate_document(pdf, platform.trust_settings())
    certificates = {facts.field: facts for facts in certificate_facts(pdf)}
    offices = {slot.field_name: slot.office.title for slot in convention.signatories}
    worded = tuple(_signature(r, certificates.get(r.field), offices.get(r.field)) for r in result.signatures)
    return worded, verification.verdict(result)


def _signature(report: SignatureReport, certificate: CertificateFacts | None, office: str | None) -> EvidenceSignature:
    titles = {
        "certification": _("Certification de la plateforme (document préparé)"),
        "doc_timestamp": _("Horodatage d'archivage du document (PAdES B-LTA)"),
    }
    title = office or str(titles.get(report.kind, report.field))
    state = (
        str(_("signature valide"))
        if report.ok
        else str(_("signature NON valide : %(why)s", why=verification.problem_label(report.error) or "—"))
    )
    return EvidenceSignature(
        title=title,
        signer=report.signer or "—",
        facts=_facts(report, certificate),
        certificate_sha256=certificate.sha256 if certificate else None,
        verdict=state,
    )


def _facts(report: SignatureReport, certificate: CertificateFacts | None) -> tuple[tuple[str, str], ...]:
    facts: list[tuple[str, str]] = []
    if certificate is not None:
        facts += [
            (str(_("Certificat")), certificate.subject),
            (str(_("Émetteur")), certificate.issuer),
            (str(_("Numéro de série")), certificate.serial_hex),
            (
                str(_("Validité")),
                str(
                    _(
                        "du %(start)s au %(end)s",
                        start=moment(certificate.not_before),
                        end=moment(certificate.not_after),
                    )
                ),
            ),
        ]
    facts += [
        (str(_("Heure déclarée de signature")), moment(report.signing_time)),
        (str(_("Horodatage")), _timestamp(report, certificate)),
        (str(_("Intacte / de confiance")), f"{_yes(report.intact)} / {_yes(report.trusted)}"),
        (str(_("Modifié ensuite")), verification.modified_label(report.modified_after)),
        (str(_("Niveau PAdES")), report.pades_level or "—"),
    ]
    revocation = verification.revocation_label(report)
    return (*facts, (str(_("Révocation")), revocation)) if revocation else tuple(facts)


def _timestamp(report: SignatureReport, certificate: CertificateFacts | None) -> str:
    if report.timestamp_time is None:
        return str(_("aucun"))
    tsa = certificate.tsa if certificate and certificate.tsa else "—"
    return str(_("%(when)s, par l'autorité d'horodatage %(tsa)s", when=moment(report.timestamp_time), tsa=tsa))


def _yes(flag: bool) -> str:
    return str(_("oui")) if flag else str(_("non"))
