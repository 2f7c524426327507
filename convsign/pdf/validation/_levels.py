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
    """Where the DSS was last written, which certificates it holds, and the valid doc timestamps."""

    dss_revision: int | None
    dss_cert_hashes: frozenset[bytes]
    timestamp_revisions: tuple[int, ...]

    def level_of(self, outcome: Outcome) -> PadesLevel | None:
        """B-B without a valid signature timestamp; B-LT once a later DSS holds the signer's
        certificate; B-LTA once a valid document timestamp covers that DSS.
        None for document timestamps and for signatures that could not be validated."""
        status = outcome.status
        if status is None or outcome.sig.sig_object_type == DOC_TIMESTAMP:
            return None
        tst = status.timestamp_validity
        if tst is None or not (tst.intact and tst.valid and tst.trusted):
            return "B-B"
        dss = self.dss_revision
        revision = outcome.sig.signed_revision
        if dss is None or dss <= revision or not self._holds_signer(outcome):
            return "B-T"
        if any(ts >= dss for ts in self.timestamp_revisions):
            return "B-LTA"
        return "B-LT"

    def _holds_signer(self, outcome: Outcome) -> bool:
        return bool(outcome.sig.signer_cert.sha256 in self.dss_cert_hashes)


def level_facts(reader: PdfFileReader, outcomes: Iterable[Outcome]) -> LevelFacts:
    """Collect the facts `LevelFacts.level_of` needs, once per document."""
    stamps = tuple(
        o.sig.signed_revision
        for o in outcomes
        if o.sig.sig_object_type == DOC_TIMESTAMP and o.status is not None and o.error is None
    )
    revision, hashes = _dss_facts(reader)
    return LevelFacts(revision, hashes, stamps)


def _dss_facts(reader: PdfFileReader) -> tuple[int | None, frozenset[bytes]]:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None, frozenset()
    hashes = frozenset(cert.sha256 for cert in dss.load_certs())
    dss_ref = reader.root.raw_get("/DSS")
    # A DSS held directly in the catalogue was written with the catalogue.
    ref = dss_ref.reference if isinstance(dss_ref, generic.IndirectObject) else reader.root_ref
    return reader.xrefs.get_last_change(ref), hashes


def weakest(levels: Iterable[PadesLevel | None]) -> PadesLevel | None:
    """The lowest level among the given ones; None if any is None or there are none."""
    found = list(levels)
    if not found or any(level is None for level in found):
        return None
    return min((lvl for lvl in found if lvl is not None), key=PADES_LEVELS.index)
