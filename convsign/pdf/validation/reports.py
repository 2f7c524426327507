"""The inputs and outputs of PAdES validation: trust settings and frozen reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cryptography import x509

SignatureKind = Literal["approval", "certification", "doc_timestamp"]
ModifiedAfter = Literal["none", "form_filling", "other"]
PadesLevel = Literal["B-B", "B-T", "B-LT", "B-LTA"]

# Ordered weakest first, so the level of a document is the minimum over its signatures.
PADES_LEVELS: tuple[PadesLevel, ...] = ("B-B", "B-T", "B-LT", "B-LTA")


@dataclass(frozen=True)
class TrustSettings:
    """What validation may rely on besides the document itself: offline, nothing is fetched.

    `roots` are the trust anchors; `crls` (DER) are revocation lists the caller holds. The
    certificates, CRLs and OCSP responses of a document's DSS are added per document.
    """

    roots: tuple[x509.Certificate, ...]
    crls: tuple[bytes, ...] = ()
    seals: tuple[x509.Certificate, ...] = ()  # this platform's seal certificates, to name them


@dataclass(frozen=True)
class SignatureReport:
    """The verdict on one signature or document timestamp.

    `revision` is the index of the revision the signature covers (0 = original file).
    `modified_after` sums up the later revisions: none, only signing/form filling/LTA updates,
    or other changes. `error` is a machine code (`_codes.py`), never prose; None when all is well.
    `modified_fields` names the form fields (other than signature fields) changed after it: then
    `error` is `field_modified`. `platform_seal` says the signer's certificate is one of the
    `TrustSettings.seals`: this platform's own certification. `revocation_checked` is False when
    no CRL of the signer's issuer and no OCSP response for the signer's certificate was at hand
    (offline, the validator then does not know whether it is revoked).
    """

    field: str
    kind: SignatureKind
    signer: str | None
    issuer: str | None
    signing_time: datetime | None
    timestamp_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    revoked_at: datetime | None
    covers_whole_document: bool
    revision: int
    modified_after: ModifiedAfter
    docmdp_ok: bool | None
    pades_level: PadesLevel | None
    bottom_line: bool
    error: str | None
    modified_fields: tuple[str, ...] = ()
    platform_seal: bool = False
    revocation_checked: bool = True

    @property
    def ok(self) -> bool:
        """True when the signature is sound and nothing illegitimate follows it."""
        return (
            self.bottom_line and self.error is None and self.modified_after != "other" and not self.modified_fields
        )


@dataclass(frozen=True)
class DocumentReport:
    """The verdicts on every signature of a document, oldest first.

    `valid` holds when there is at least one approval or certification signature (a document
    timestamp alone proves nothing of who agreed to the text) and every signature and timestamp
    is `ok`. `level` is the weakest PAdES level among the (non-timestamp) signatures.
    `revision_count` and `signature_count` let the caller check the file is the latest it
    stored: a file cut back to an earlier revision validates perfectly on its own.
    `unsigned_changes` says what follows the newest signature or timestamp unsigned: the number
    of revisions after it, and whether bytes follow the file's last revision; PAdES rules may
    still accept them (an /Info title, an empty invisible signature field, orphan objects).
    """

    signatures: tuple[SignatureReport, ...]
    valid: bool
    level: PadesLevel | None
    revision_count: int
    unsigned_revisions: int = 0
    trailing_bytes: bool = False

    @property
    def signature_count(self) -> int:
        """Number of signatures and document timestamps found."""
        return len(self.signatures)

    @property
    def only_timestamps(self) -> bool:
        """Document timestamps, and no approval or certification signature."""
        return bool(self.signatures) and all(s.kind == "doc_timestamp" for s in self.signatures)

    @property
    def unsigned_changes_after_last_signature(self) -> bool:
        """Whether anything follows the newest signature or timestamp unsigned."""
        return self.unsigned_revisions > 0 or self.trailing_bytes
