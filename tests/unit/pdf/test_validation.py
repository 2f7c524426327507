"""PAdES validation: the fast path gives pyHanko's verdicts, on intact and on tampered files."""

from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass

import pytest
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfWriter

from convsign.pdf.validation import (
    DocumentReport,
    NoSignature,
    TrustSettings,
    UnreadableDocument,
    validate_document,
    validate_document_plain,
    validate_last_signature,
)
from convsign.pdf.validation._reader import MemoReader
from convsign.pdf.validation._usages import EdgeIndex, LazyUsages
from convsign.pdf.validation._walk import TreeIndex

from . import _documents as docs

N_SIGNERS = 6


@dataclass(frozen=True)
class Corpus:
    """The successive states of one 6-signature document, and the trust to check them with."""

    pki: docs.TestPki
    states: list[bytes]
    trust: TrustSettings
    other_trust: TrustSettings

    @property
    def bt(self) -> bytes:
        """The file after the last approval signature (PAdES B-T)."""
        return self.states[-2]

    @property
    def lta(self) -> bytes:
        """The same after DSS + document timestamp (PAdES B-LTA)."""
        return self.states[-1]


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    pki = docs.build_pki(N_SIGNERS)
    states = docs.build_document(pki, N_SIGNERS, lta=True)
    stranger = docs.build_pki(0)
    return Corpus(
        pki,
        states,
        TrustSettings((pki.root.cert,), pki.crls),
        TrustSettings((stranger.root.cert,)),
    )


def _tampered(corpus: Corpus, kind: str) -> bytes:
    if kind == "appended_content":
        return docs.append_page_content(corpus.bt)
    if kind == "flipped_byte":
        return docs.flip_byte_in_signed_range(corpus.bt)
    if kind == "corrupted_contents":
        return docs.corrupt_contents(corpus.bt, 3)
    if kind == "truncated":
        return corpus.states[3]
    raise AssertionError(kind)


TAMPERINGS = ["appended_content", "flipped_byte", "corrupted_contents", "truncated"]


@pytest.mark.parametrize("kind", ["bt", "lta", *TAMPERINGS])
def test_fast_and_plain_agree_field_by_field(corpus: Corpus, kind: str) -> None:
    pdf = getattr(corpus, kind) if kind in ("bt", "lta") else _tampered(corpus, kind)
    fast = validate_document(pdf, corpus.trust)
    plain = validate_document_plain(pdf, corpus.trust)
    assert fast.signatures == plain.signatures
    assert fast == plain


def test_fast_and_plain_agree_without_trust(corpus: Corpus) -> None:
    fast = validate_document(corpus.lta, corpus.other_trust)
    assert fast == validate_document_plain(corpus.lta, corpus.other_trust)
    assert not fast.valid
    assert {s.error for s in fast.signatures} == {"untrusted"}
    assert all(s.intact and s.valid and not s.trusted for s in fast.signatures)


def _a_whole_second_after_the_last_timestamp(corpus: Corpus) -> dt.datetime:
    """A revocation date strictly after every signature (CRL dates have whole seconds)."""
    stamps = [s.timestamp_time for s in validate_document(corpus.bt, corpus.trust).signatures]
    when = (max(t for t in stamps if t is not None) + dt.timedelta(seconds=1)).replace(microsecond=0)
    time.sleep(max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds()))
    return when


def _revoke(corpus: Corpus, index: int, when: dt.datetime) -> TrustSettings:
    crl = docs.revoking_crl(corpus.pki, corpus.pki.signers[index], when)
    return TrustSettings(corpus.trust.roots, (corpus.pki.crls[0], crl))


def test_signer_revoked_after_the_timestamp_stays_valid(corpus: Corpus) -> None:
    when = _a_whole_second_after_the_last_timestamp(corpus)
    trust = _revoke(corpus, 1, when)
    fast = validate_document(corpus.bt, trust)
    assert fast == validate_document_plain(corpus.bt, trust)
    assert fast.valid
    culprit = next(s for s in fast.signatures if s.signer == "Signataire 2")
    assert culprit.ok and culprit.trusted
    assert culprit.revoked_at == when
    assert all(s.revoked_at is None for s in fast.signatures if s is not culprit)


def test_signer_revoked_before_the_timestamp_is_refused(corpus: Corpus) -> None:
    signed = validate_document(corpus.bt, corpus.trust).signatures[2]  # Signataire 2
    assert signed.timestamp_time is not None
    when = signed.timestamp_time.replace(microsecond=0) - dt.timedelta(seconds=1)
    trust = _revoke(corpus, 1, when)
    fast = validate_document(corpus.bt, trust)
    assert fast == validate_document_plain(corpus.bt, trust)
    assert not fast.valid
    culprit = fast.signatures[2]
    assert (culprit.signer, culprit.revoked_at, culprit.error) == ("Signataire 2", when, "revoked")
    assert not culprit.trusted
    assert all(s.ok for s in fast.signatures if s is not culprit)


def test_intact_b_t_document(corpus: Corpus) -> None:
    report = validate_document(corpus.bt, corpus.trust)
    assert report.valid
    assert report.level == "B-T"
    assert report.signature_count == N_SIGNERS + 1
    assert report.revision_count == N_SIGNERS + 3  # original, fields, certification, signatures
    first, *approvals = report.signatures
    assert (first.kind, first.field, first.signer) == ("certification", "Plateforme", "Plateforme")
    assert first.docmdp_ok is True
    assert [s.kind for s in approvals] == ["approval"] * N_SIGNERS
    assert [s.signer for s in approvals] == [f"Signataire {i + 1}" for i in range(N_SIGNERS)]
    assert [s.revision for s in report.signatures] == list(range(2, N_SIGNERS + 3))
    for sig in report.signatures:
        assert sig.ok and sig.error is None
        assert sig.issuer == "Test Issuing CA"
        assert sig.pades_level == "B-T"
        assert sig.timestamp_time is not None and sig.signing_time is not None
    assert [s.modified_after for s in report.signatures] == ["form_filling"] * N_SIGNERS + ["none"]
    assert report.signatures[-1].covers_whole_document


def test_completed_document_is_b_lta(corpus: Corpus) -> None:
    report = validate_document(corpus.lta, corpus.trust)
    assert report.valid
    assert report.level == "B-LTA"
    *signatures, stamp = report.signatures
    assert (stamp.kind, stamp.signer, stamp.pades_level) == ("doc_timestamp", "Test TSA", None)
    assert stamp.covers_whole_document and stamp.ok
    assert {s.pades_level for s in signatures} == {"B-LTA"}
    # The DSS and the document timestamp count as LTA updates, not as other changes.
    assert signatures[-1].modified_after == "form_filling"


def test_content_appended_after_signing_invalidates_every_signature(corpus: Corpus) -> None:
    report = validate_document(_tampered(corpus, "appended_content"), corpus.trust)
    assert not report.valid
    for sig in report.signatures:
        assert sig.intact and sig.valid and sig.trusted
        assert sig.modified_after == "other"
        assert sig.docmdp_ok is False
        assert sig.error == "illegal_modification"


def test_flipped_byte_breaks_every_signature(corpus: Corpus) -> None:
    report = validate_document(_tampered(corpus, "flipped_byte"), corpus.trust)
    assert not report.valid
    assert all(not s.intact and s.error == "not_intact" for s in report.signatures)


def test_corrupted_signature_value_is_that_signature_s_failure(corpus: Corpus) -> None:
    report = validate_document(_tampered(corpus, "corrupted_contents"), corpus.trust)
    before, broken, after = report.signatures[:3], report.signatures[3], report.signatures[4:]
    assert not report.valid
    assert all(s.ok for s in before)
    assert not broken.ok
    assert broken.error in {"signature_invalid", "invalid_signature"}
    # Later signatures covered the earlier /Contents bytes: their digests no longer match.
    assert all(s.error == "not_intact" for s in after)


def test_file_cut_back_to_an_earlier_revision_validates_on_its_own(corpus: Corpus) -> None:
    report = validate_document(_tampered(corpus, "truncated"), corpus.trust)
    full = validate_document(corpus.bt, corpus.trust)
    assert report.valid
    assert report.signature_count == 4 < full.signature_count
    assert report.revision_count < full.revision_count


@pytest.mark.parametrize("index", [1, N_SIGNERS])
def test_last_signature_alone(corpus: Corpus, index: int) -> None:
    report = validate_last_signature(corpus.states[index], corpus.trust)
    assert report.field == docs.field_name(index - 1)
    assert report.ok
    assert report.covers_whole_document
    whole = validate_document(corpus.states[index], corpus.trust)
    assert report == whole.signatures[-1]


def test_last_signature_sees_later_changes(corpus: Corpus) -> None:
    pdf = _tampered(corpus, "appended_content")
    report = validate_last_signature(pdf, corpus.trust)
    assert report.modified_after == "other" and not report.ok
    assert report == validate_document_plain(pdf, corpus.trust).signatures[-1]


def test_last_signature_of_completed_document_is_the_timestamp(corpus: Corpus) -> None:
    report = validate_last_signature(corpus.lta, corpus.trust)
    assert report.kind == "doc_timestamp" and report.ok


def test_unsigned_document(corpus: Corpus) -> None:
    blank = docs.add_fields(docs.blank_pdf(), 2)
    report = validate_document(blank, corpus.trust)
    assert report == DocumentReport((), valid=False, level=None, revision_count=2)
    with pytest.raises(NoSignature) as caught:
        validate_last_signature(blank, corpus.trust)
    assert caught.value.code == "no_signature"


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("utilisateur", "proprietaire", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        lambda c: b"",
        lambda c: b"%PDF-1.7 this is not a PDF at all",
        lambda c: c.bt[: len(c.bt) // 2],
        lambda c: _encrypted_pdf(),
    ],
    ids=["empty", "garbage", "truncated_mid_file", "encrypted"],
)
@pytest.mark.parametrize("validate", [validate_document, validate_document_plain, validate_last_signature])
def test_unreadable_input_raises_a_coded_error(corpus: Corpus, make: object, validate: object) -> None:
    pdf = make(corpus)  # type: ignore[operator]
    with pytest.raises(UnreadableDocument) as caught:
        validate(pdf, corpus.trust)  # type: ignore[operator]
    assert caught.value.code == "unreadable"


def test_targeted_usages_equal_pyhanko_full_walk(corpus: Corpus) -> None:
    """The paths found through the reference index are exactly pyHanko's, in every revision."""
    plain = PdfFileReader(io.BytesIO(corpus.lta))
    fast = MemoReader(corpus.lta)
    edges, trees, interest = EdgeIndex(fast), TreeIndex(fast), set()
    checked = 0
    for revision in range(plain.xrefs.total_revisions - 1):
        hist = plain.get_historical_resolver(revision)
        hist._load_reverse_xref_cache()
        full = hist._indirect_object_access_cache
        assert full is not None
        lazy = LazyUsages(fast.get_historical_resolver(revision), edges, trees, interest, set())
        asked = set(full) | plain.xrefs.explicit_refs_in_revision(revision + 1)
        for ref in asked:
            assert lazy[ref] == full.get(ref, set()), (revision, ref)
            checked += 1
    assert checked > 100


def test_trust_settings_take_cryptography_certificates(corpus: Corpus) -> None:
    assert all(isinstance(root, x509.Certificate) for root in corpus.trust.roots)
