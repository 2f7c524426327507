"""Attacks on signed documents, each built here, and the verdicts that must hold (issue 11).

Every verdict is checked on the fast path and the plain per-signature loop; pdfsig is asked where
it has something to say (it cannot see form filling: the convsign verdict is the one that counts).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from convsign.pdf.validation import TrustSettings, validate_document, validate_document_plain
from tests.pdfsig import run_pdfsig, signature_blocks

from . import _attacks as attacks
from . import _documents as docs


@dataclass(frozen=True)
class Signed:
    pki: docs.TestPki
    trust: TrustSettings
    form: bytes  # certified, two approval signatures, with the upload's own form fields
    plain: bytes  # certified, two approval signatures, no other field


@pytest.fixture(scope="module")
def signed() -> Signed:
    pki = docs.build_pki(2)
    plain = docs.build_document(pki, 2)[-1]
    return Signed(pki, TrustSettings((pki.root.cert,), pki.crls), attacks.form_document(pki), plain)


def _both(pdf: bytes, trust: TrustSettings):  # type: ignore[no-untyped-def]
    fast, plain = validate_document(pdf, trust), validate_document_plain(pdf, trust)
    assert fast == plain
    return fast


def test_the_signed_form_document_is_valid_before_any_attack(signed: Signed) -> None:
    assert _both(signed.form, signed.trust).valid


@pytest.mark.parametrize(
    ("attack", "field"),
    [(attacks.fill_amount, "montant"), (attacks.tick_clause, "clause")],
    ids=["amount_rewritten", "clause_ticked"],
)
def test_form_filling_after_signing_is_not_valid_and_names_the_field(
    signed: Signed, attack: object, field: str
) -> None:
    report = _both(attack(signed.form), signed.trust)  # type: ignore[operator]
    assert not report.valid
    for sig in report.signatures:
        assert sig.intact and sig.valid and sig.trusted  # the signatures themselves are sound
        assert (sig.error, sig.modified_fields, sig.modified_after) == ("field_modified", (field,), "other")


def test_filling_a_signature_field_is_still_accepted(signed: Signed) -> None:
    pdf = docs.add_fields(docs.blank_pdf(), 2)
    pdf = docs.sign(pdf, signed.pki, signed.pki.platform, "Plateforme", certify=True)
    pdf = docs.sign(pdf, signed.pki, signed.pki.signers[0], docs.field_name(0))
    report = _both(pdf, signed.trust)
    assert report.valid and [s.modified_after for s in report.signatures] == ["form_filling", "none"]


def test_a_timestamp_alone_is_not_a_valid_document(signed: Signed) -> None:
    report = _both(attacks.timestamp_only(signed.pki), signed.trust)
    assert report.only_timestamps and not report.valid
    assert [s.kind for s in report.signatures] == ["doc_timestamp"]
    assert report.signatures[0].ok  # the timestamp itself is sound: it just proves no agreement


def test_a_flipped_byte_in_the_page_text_breaks_every_signature(signed: Signed, tmp_path: Path) -> None:
    pdf = attacks.flip_byte_in_page_text(signed.plain)
    report = _both(pdf, signed.trust)
    assert not report.valid
    assert all(not s.intact and s.error == "not_intact" for s in report.signatures)
    blocks = signature_blocks(run_pdfsig(pdf, signed.pki.root.cert, tmp_path))
    assert len(blocks) == 3 and all("Signature Validation: Digest Mismatch." in b for b in blocks)


@pytest.mark.parametrize(
    ("attack", "revisions", "trailing"),
    [
        (attacks.info_title, 1, False),
        (attacks.trailing_bytes, 0, True),
    ],
    ids=["info_title", "bytes_after_eof"],
)
def test_unsigned_changes_after_the_last_signature_are_reported(
    signed: Signed, attack: object, revisions: int, trailing: bool
) -> None:
    report = _both(attack(signed.plain), signed.trust)  # type: ignore[operator]
    assert report.unsigned_changes_after_last_signature
    assert (report.unsigned_revisions, report.trailing_bytes) == (revisions, trailing)
    assert not _both(signed.plain, signed.trust).unsigned_changes_after_last_signature


def test_an_empty_invisible_signature_field_added_after_signing_is_reported(signed: Signed) -> None:
    w = IncrementalPdfFileWriter(io.BytesIO(signed.plain))
    fields.append_signature_field(w, fields.SigFieldSpec("Invisible"))
    out = io.BytesIO()
    w.write(out)
    report = _both(out.getvalue(), signed.trust)
    assert report.valid  # PAdES allows it; the report says it plainly
    assert report.unsigned_revisions == 1


def test_a_dss_written_after_the_document_timestamp_keeps_b_lta(signed: Signed) -> None:
    lta = docs.complete_to_lta(signed.plain, signed.pki)
    w = IncrementalPdfFileWriter(io.BytesIO(lta))
    from asn1crypto import crl as asn1_crl
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    # New validation data (a fresh CRL, a stranger's certificate), as a later archive step writes.
    fresh = docs._crl(signed.pki.ca, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    certs = [docs.asn1_cert(docs.build_pki(0).root.cert)]
    DocumentSecurityStore.supply_dss_in_writer(w, None, certs=certs, crls=[asn1_crl.CertificateList.load(fresh)])
    out = io.BytesIO()
    w.write(out)
    report = _both(out.getvalue(), signed.trust)
    assert report.level == "B-LTA"
    assert {s.pades_level for s in report.signatures if s.kind != "doc_timestamp"} == {"B-LTA"}
    assert report.unsigned_revisions == 1  # the DSS itself is unsigned, and said so


def test_b_lt_without_a_document_timestamp(signed: Signed) -> None:
    w = IncrementalPdfFileWriter(io.BytesIO(signed.plain))
    from asn1crypto import crl as asn1_crl
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    pki = signed.pki
    certs = [docs.asn1_cert(c.cert) for c in (pki.root, pki.ca, pki.tsa, pki.platform, *pki.signers)]
    DocumentSecurityStore.supply_dss_in_writer(
        w, None, certs=certs, crls=[asn1_crl.CertificateList.load(c) for c in pki.crls]
    )
    out = io.BytesIO()
    w.write(out)
    assert _both(out.getvalue(), signed.trust).level == "B-LT"


def test_the_seal_is_named_only_when_it_is_this_platform_s(signed: Signed) -> None:
    ours = TrustSettings(signed.trust.roots, signed.trust.crls, seals=(signed.pki.platform.cert,))
    certification = validate_document(signed.plain, ours).signatures[0]
    assert certification.kind == "certification" and certification.platform_seal
    foreign = validate_document(signed.plain, signed.trust).signatures[0]
    assert foreign.kind == "certification" and not foreign.platform_seal


def test_every_candidate_issuer_of_a_name_is_tried() -> None:
    # Two authorities whose CAs bear exactly the same names (instances made before point 8 did):
    # trusting both, a document of the second validates whichever root is listed first.
    first, second = docs.build_pki(1), docs.build_pki(1)
    assert first.ca.cert.subject == second.ca.cert.subject
    pdf = docs.build_document(second, 1)[-1]
    for roots in ((first.root.cert, second.root.cert), (second.root.cert, first.root.cert)):
        report = validate_document(pdf, TrustSettings(roots, first.crls + second.crls))
        assert report.valid, [s.error for s in report.signatures]


def test_revocation_is_said_unchecked_when_no_data_is_at_hand(signed: Signed) -> None:
    without = TrustSettings(signed.trust.roots)  # the outside root, none of its CRLs
    unchecked = validate_document(signed.plain, without)
    assert unchecked.valid  # offline, pyHanko does not refuse: the report must say it
    assert [s.revocation_checked for s in unchecked.signatures] == [False, False, False]
    assert all(s.revocation_checked for s in validate_document(signed.plain, signed.trust).signatures)
    lta = validate_document(docs.complete_to_lta(signed.plain, signed.pki), without)
    assert all(s.revocation_checked for s in lta.signatures)  # the DSS carries the CRLs


def test_orphan_objects_after_the_last_signature_are_reported(signed: Signed) -> None:
    from pyhanko.pdf_utils import generic

    w = IncrementalPdfFileWriter(io.BytesIO(signed.plain))
    w.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 0 0 595 842 re f"))
    out = io.BytesIO()
    w.write(out)
    report = _both(out.getvalue(), signed.trust)
    assert report.valid and report.unsigned_revisions == 1
