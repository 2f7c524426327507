"""Anchors of the audit chain outside the server: its head in e-mails, webhooks, the evidence PDF,
and in RFC 3161 tokens of an external timestamp authority.

Someone holding the database and the code can recompute every hash after an edit, and rewrite
the witness file on the same server. What they cannot rewrite is a head already sent away: the
"entrée n° N, empreinte H" of an e-mail a mayor kept, a webhook an EPCI's system logged, an
evidence PDF downloaded, or a timestamp token signed by an outside authority. `audit verify
--anchor N:H` checks such a head against the database: a chain rebuilt after entry N gives
entry N another hash.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from convsign.extensions import db
from convsign.models.audit import AuditEntry, AuditTimestamp

_ANCHOR = re.compile(r"^\s*(?:n°\s*)?(\d+)\s*[:,]\s*([0-9a-fA-F]{64})\s*$")


@dataclass(frozen=True)
class Anchor:
    """A head of the chain: entry number and its hash."""

    entry_id: int
    entry_hash: str

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.entry_hash}"


def current_head() -> Anchor | None:
    """The newest entry (flushed in this transaction included), or None on an empty trail."""
    row = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return None if row is None else Anchor(row[0], row[1])


def parse_anchor(text: str) -> Anchor:
    """"N:HASH" as written in e-mails and by `audit verify`; ValueError otherwise."""
    match = _ANCHOR.match(text)
    if not match:
        raise ValueError(text)
    return Anchor(int(match.group(1)), match.group(2).lower())


def holds(anchor: Anchor) -> bool:
    """Whether entry N of the database still has the anchored hash."""
    stored = db.session.scalar(sa.select(AuditEntry.entry_hash).where(AuditEntry.id == anchor.entry_id))
    return stored == anchor.entry_hash


def email_line(anchor: Anchor | None) -> str:
    """The line every e-mail ends with (kept by its recipient, out of the server's reach)."""
    if anchor is None:
        return ""
    return (
        f"\n--\nJournal d'audit convsign / audit trail : entrée n° {anchor.entry_id}, "
        f"empreinte {anchor.entry_hash}\n"
    )


def timestamp_head(timestamper: TimeStamper, tsa_url: str, now: datetime) -> AuditTimestamp | None:
    """Have the current head timestamped (RFC 3161) and keep the token; None on an empty trail."""
    head = current_head()
    if head is None:
        return None
    token = asyncio.run(timestamper.async_timestamp(bytes.fromhex(head.entry_hash), "sha256"))
    row = AuditTimestamp(entry_id=head.entry_id, entry_hash=head.entry_hash, at=now, tsa_url=tsa_url,
                         token=token.dump())
    db.session.add(row)
    db.session.flush()
    return row


def stamped_today(now: datetime) -> bool:
    """Whether the head was already timestamped on `now`'s (UTC) day."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return db.session.scalar(sa.select(AuditTimestamp.id).where(AuditTimestamp.at >= start).limit(1)) is not None


def token_problem(token: bytes, entry_hash: str, roots: Sequence[x509.Certificate]) -> str | None:
    """What is wrong with a stored token, or None: "imprint" (it covers another hash), "signature"
    (not the authority's), "untrusted" (an authority outside the trusted roots: add its root to
    CONVSIGN_EXTRA_TRUST_ROOTS). A forged token, made with a key of one's own, fails here."""
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(Encoding.DER)) for root in roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    signed = cms.ContentInfo.load(token)["content"]
    status = asyncio.run(validate_tst_signed_data(signed, context, lambda _algorithm: bytes.fromhex(entry_hash)))
    if not status["intact"]:
        return "imprint"
    if not status["valid"]:
        return "signature"
    return None if status.get("trust_problem_indic") is None else "untrusted"


def first_broken_timestamp(roots: Sequence[x509.Certificate]) -> tuple[AuditTimestamp, str] | None:
    """The oldest stored timestamp whose entry no longer has the stamped hash ("rewritten"), or
    whose token does not hold (see `token_problem`), with the reason."""
    for row in db.session.scalars(sa.select(AuditTimestamp).order_by(AuditTimestamp.id)):
        problem = token_problem(row.token, row.entry_hash, roots)
        if problem is None and not holds(Anchor(row.entry_id, row.entry_hash)):
            problem = "rewritten"
        if problem is not None:
            return row, problem
    return None
