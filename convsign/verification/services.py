"""Checking an uploaded PDF: inspection (size, damage, encryption), validation, identification.

The validation trusts the internal root and the administrator's added roots
(`convsign.trust.platform.trust_settings`). A file this instance produced is recognised by
its exact SHA-256: a revision it stored, current or superseded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import gettext as _
from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget

from convsign.conventions.access import visible_conventions
from convsign.documents.services import identify
from convsign.errors import ConvsignError
from convsign.extensions import db
from convsign.models import Convention, User
from convsign.models.types import local_today
from convsign.pdf.errors import PdfError
from convsign.pdf.inspection import INSPECTION_DECODE_LIMITS, inspect_pdf
from convsign.pdf.validation import DocumentReport, validate_document
from convsign.trust import platform

MIB = 1024 * 1024


class UnverifiableDocument(ConvsignError):
    """The file cannot be verified (not a PDF, damaged, encrypted, too large…); `code` says why."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Placement:
    """What the file is to this instance. `title` is None when the person may not see the convention."""

    known: bool
    revision_number: int | None = None
    revision_count: int | None = None
    is_current: bool = False
    convention_id: int | None = None
    title: str | None = None


def verify(pdf: bytes) -> DocumentReport:
    """Inspect, then validate every signature; UnverifiableDocument when the file cannot be read.

    A file the inspection finds damaged is still validated: a byte changed inside a signed range
    can break the strict reader's parse while the signatures stay readable, and then the verdict
    is "signature rompue", not "unreadable". Only when no signature can be read is the file
    unverifiable. The work budget (decoded bytes, seconds) applies to the inspection, which reads
    every stream; validation reads only the signatures and the revisions' structure.
    """
    config = current_app.config
    try:
        inspect_pdf(
            pdf,
            max_bytes=int(config["MAX_UPLOAD_MB"]) * MIB,
            max_pages=int(config["MAX_PDF_PAGES"]),
            allow_signed=True,
            decode_limits=work_budget(),
            deadline=time.monotonic() + float(config["VERIFY_MAX_SECONDS"]),
        )
    except PdfError as error:
        if error.code != "damaged":
            raise unverifiable(error.code) from error
        return _validate_damaged(pdf, error)
    try:
        return validate_document(pdf, platform.trust_settings())
    except PdfError as error:
        raise unverifiable(error.code) from error


def _validate_damaged(pdf: bytes, inspection_error: PdfError) -> DocumentReport:
    """A file the strict reader refused: its signatures, if any can be read; else unreadable."""
    try:
        report = validate_document(pdf, platform.trust_settings())
    except PdfError as error:
        raise unverifiable(inspection_error.code) from error
    if not report.signatures:
        raise unverifiable(inspection_error.code) from inspection_error
    return report


def work_budget() -> DecodeLimits:
    """Decode limits of one verification: the inspection's, within the configured total."""
    total = int(current_app.config["VERIFY_MAX_DECODED_MB"]) * MIB
    return replace(INSPECTION_DECODE_LIMITS, document_budget=DocumentDecodeBudget(base_allowance=total, max_ratio=0))


def unverifiable(code: str) -> UnverifiableDocument:
    """The error for a rejection code of inspection or validation, with its French message."""
    config = current_app.config
    messages = {
        "empty": (_("Le fichier envoyé est vide."), 422),
        "not_pdf": (_("Ce fichier n'est pas un PDF."), 415),
        "too_large": (_("Ce PDF dépasse la taille maximale de %(mb)s Mo.", mb=config["MAX_UPLOAD_MB"]), 413),
        "encrypted": (
            _(
                "Ce PDF est chiffré ou protégé par un mot de passe : ses signatures ne peuvent pas être "
                "vérifiées. Demandez une version sans protection."
            ),
            422,
        ),
        "too_many_pages": (_("Ce PDF dépasse le nombre maximal de %(n)s pages.", n=config["MAX_PDF_PAGES"]), 422),
        "decode_limit": (
            _(
                "Ce PDF contient des données compressées anormalement volumineuses (plus de %(mb)s Mo "
                "une fois décompressées) : il n'est pas vérifié, par prudence.",
                mb=config["VERIFY_MAX_DECODED_MB"],
            ),
            422,
        ),
        "too_slow": (
            _(
                "L'analyse de ce PDF demande plus de travail que permis (%(s)s s) : il n'est pas vérifié, "
                "par prudence.",
                s=config["VERIFY_MAX_SECONDS"],
            ),
            422,
        ),
        "active_content": (
            _(
                "Ce PDF contient du contenu actif (JavaScript, lancement d'application) : il n'est "
                "pas vérifié, par prudence."
            ),
            422,
        ),
    }
    damaged = _(
        "Ce PDF est endommagé ou tronqué : il ne peut pas être lu, donc pas vérifié. Demandez une copie "
        "complète du fichier."
    )
    message, status = messages.get(code, (damaged, 422))
    return UnverifiableDocument(code, str(message), status)


def placement(pdf: bytes, viewer: User | None) -> Placement:
    """Which revision of which convention these bytes are; the title only if `viewer` may see it
    (no viewer: the instance's operator, at the command line)."""
    found = identify(pdf)
    if found is None:
        return Placement(known=False)
    convention = db.session.get(Convention, found.convention_id)
    assert convention is not None
    visible = (
        viewer is None
        or db.session.scalar(visible_conventions(viewer, local_today()).where(Convention.id == convention.id))
        is not None
    )
    return Placement(
        True,
        found.revision_number,
        convention.revision_count,
        found.is_current,
        convention.id if visible else None,
        convention.title if visible else None,
    )


def signer_titles(found: Placement) -> dict[str, str]:
    """The office and organisation behind each signature field of a visible convention of this instance
    ("Maire de Loison-sous-Lens — Loison-sous-Lens"), so the report never shows internal field names."""
    if found.convention_id is None:
        return {}
    convention = db.session.get(Convention, found.convention_id)
    assert convention is not None
    return {slot.field_name: f"{slot.office.title} — {slot.office.organisation.name}"
            for slot in convention.signatories}
