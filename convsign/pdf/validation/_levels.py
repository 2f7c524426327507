"""PAdES baseline level of each signature, from what the document holds after it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError

from ._check import DOC_TIMESTAMP, Outcome
from .reports import PADES_LEVELS, PadesLevel


@dataclass(frozen=True)
class LevelFacts:
    """Each revision that wrote the DSS with the certificates it then held, and the revisions
    of the valid document timestamps."""

    dss_history: tuple[tuple[int, frozenset[bytes]], ...]
    timestamp_revisions: tuple[int, ...]

    def level_of(self, outcome: Outcome) -> PadesLevel | None:
        """As ETSI EN 319 142-1 defines the levels: B-B without a valid signature timestamp;
        B-LT once a DSS written after the signature holds the signer's certificate; B-LTA once a
        valid document timestamp covers such a DSS (a DSS written again after that timestamp,
        for a later archive timestamp, does not take B-LTA away).
        None for document timestamps and for signatures that could not be validated."""
        status = outcome.status
        if status is None or outcome.sig.sig_object_type == DOC_TIMESTAMP:
            return None
        tst = status.timestamp_validity
        if tst is None or not (tst.intact and tst.valid and tst.trusted):
            return "B-B"
        first = self._first_dss_holding(outcome)
        if first is None:
            return "B-T"
        if any(ts >= first for ts in self.timestamp_revisions):
            return "B-LTA"
        return "B-LT"

    def _first_dss_holding(self, outcome: Outcome) -> int | None:
        signed = outcome.sig.signed_revision
        signer = outcome.sig.signer_cert.sha256
        return next((rev for rev, certs in self.dss_history if rev > signed and signer in certs), None)


def level_facts(reader: PdfFileReader, outcomes: Iterable[Outcome]) -> LevelFacts:
    """Collect the facts `LevelFacts.level_of` needs, once per document."""
    stamps = tuple(
        o.sig.signed_revision
        for o in outcomes
        if o.sig.sig_object_type == DOC_TIMESTAMP and o.status is not None and o.error is None
    )
    return LevelFacts(_dss_history(reader), stamps)


def _dss_history(reader: PdfFileReader) -> tuple[tuple[int, frozenset[bytes]], ...]:
    """(revision, certificate hashes) for every revision that wrote the catalogue or its DSS."""
    xrefs = reader.xrefs
    history: list[tuple[int, frozenset[bytes]]] = []
    for revision in range(xrefs.total_revisions):
        hist = reader.get_historical_resolver(revision)
        if "/DSS" not in hist.root:
            continue
        written = xrefs.explicit_refs_in_revision(revision)
        dss_ref = hist.root.raw_get("/DSS")
        ref = dss_ref.reference if isinstance(dss_ref, generic.IndirectObject) else hist.root_ref
        if ref not in written and hist.root_ref not in written:
            continue
        try:
            dss = DocumentSecurityStore.read_dss(hist)
        except NoDSSFoundError:
            continue
        history.append((revision, frozenset(cert.sha256 for cert in dss.load_certs())))
    return tuple(history)


def weakest(levels: Iterable[PadesLevel | None]) -> PadesLevel | None:
    """The lowest level among the given ones; None if any is None or there are none."""
    found = list(levels)
    if not found or any(level is None for level in found):
        return None
    return min((lvl for lvl in found if lvl is not None), key=PADES_LEVELS.index)
