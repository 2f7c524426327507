"""Two convsign instances: their CAs have distinct names, and one that trusts the other's root
validates the other's documents (issue 11, point 8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.x509.oid import NameOID

from convsign.pdf import signing
from convsign.pdf.fields import add_signature_fields
from convsign.pdf.generation import render_convention
from convsign.pdf.validation import TrustSettings, validate_document
from convsign.pki.authority import Pki, PkiSettings, ensure_pki
from convsign.pki.certificates import SignerSubject, issue_signer_certificate
from convsign.pki.crl import build_crl, build_root_crl
from convsign.pki.identity import SigningIdentity
from convsign.pki.keys import generate_signer_key
from convsign.pki.tsa import TimestampAuthority
from tests.unit.pdf.corpus.ctg_demo import demo_spec


def _instance(factory: Callable[..., PkiSettings], folder: Path) -> Pki:
    # Same organisation, same code: only the identifier drawn at creation tells them apart.
    return ensure_pki(factory(folder, secret=b"another-instance-secret-0123456789"), datetime.now(UTC))


def test_each_instance_names_its_cas_uniquely(pki: Pki, pki_settings_factory: Callable[..., PkiSettings],
                                                tmp_path: Path) -> None:
    other = _instance(pki_settings_factory, tmp_path / "other")
    for mine, theirs in ((pki.root, other.root), (pki.issuing, other.issuing), (pki.seal, other.seal)):
        assert mine.subject != theirs.subject
        organisation = mine.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
        assert organisation == theirs.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert other.issuing.issuer == other.root.subject


def test_an_instance_trusting_another_s_root_validates_its_documents(
    pki: Pki, pki_settings_factory: Callable[..., PkiSettings], tmp_path: Path
) -> None:
    other = _instance(pki_settings_factory, tmp_path / "other")
    generated = render_convention(demo_spec())
    pdf = add_signature_fields(generated.pdf, generated.placements[:1])
    stamper = TimestampAuthority(other).timestamper()
    pdf = signing.certify(pdf, other.seal_identity(), stamper)
    key = generate_signer_key()
    start = datetime.now(UTC) - timedelta(minutes=1)
    subject = SignerSubject(common_name="Élue", organisation="Commune", office="Maire", email="maire@example.org")
    cert = issue_signer_certificate(other, subject, key.public_key(), start, start + timedelta(days=30))
    pdf = signing.sign_field(pdf, generated.placements[0].field_name, SigningIdentity(key, cert, other.signer_chain()),
                             stamper, reason="Signature", location="Lens", signer_name="Élue", stamp_lines=["Élue"])
    now = datetime.now(UTC)
    later = now + timedelta(days=1)
    # Both instances' CRLs: with equal issuer names, a CRL could be matched to the wrong CA.
    crls = tuple(c for p in (pki, other) for c in (build_crl(p, (), now, later), build_root_crl(p, now, later)))
    trust = TrustSettings(roots=(pki.root, other.root), crls=crls)
    report = validate_document(pdf, trust)
    assert report.valid, [(s.field, s.error) for s in report.signatures]
