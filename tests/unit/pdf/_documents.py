"""Throwaway PKI and multi-signature PAdES documents for the validation tests and benchmark.

Built with plain `cryptography` and pyHanko only, so that the validation tests do not depend on
`convsign.pki` / `convsign.pdf.signing` (written in parallel). Nothing here is committed material:
every key and certificate is generated at run time.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key."""

    cert: x509.Certificate
    key: PrivateKey


@dataclass(frozen=True)
class TestPki:
    """Root, issuing CA, TSA and signers, plus one CRL per CA."""

    root: Issued
    ca: Issued
    tsa: Issued
    platform: Issued
    signers: tuple[Issued, ...]
    crls: tuple[bytes, ...]


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test CTG"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _issue(cn: str, key: PrivateKey, issuer: Issued | None, kind: str, now: dt.datetime) -> Issued:
    """Issue a certificate of `kind` ('ca', 'tsa' or 'signer') for `key`."""
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.cert.subject if issuer else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    for ext, critical in _extensions(kind):
        builder = builder.add_extension(ext, critical=critical)
    return Issued(builder.sign(signer_key, hashes.SHA256()), key)


def _extensions(kind: str) -> list[tuple[x509.ExtensionType, bool]]:
    """Basic constraints, key usage and EKU for a certificate kind."""
    is_ca = kind == "ca"
    usage = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    if is_ca:
        usage.update(key_cert_sign=True, crl_sign=True)
    else:
        usage.update(digital_signature=True, content_commitment=kind == "signer")
    result: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=is_ca, path_length=None), True),
        (x509.KeyUsage(**usage), True),
    ]
    if kind == "tsa":
        result.append((x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True))
    if kind == "signer":
        # Never fetched (validation is offline): it makes validators look for the CA's CRL.
        where = x509.UniformResourceIdentifier("http://127.0.0.1/crl/issuing-ca.crl")
        result.append((x509.CRLDistributionPoints([x509.DistributionPoint([where], None, None, None)]), False))
    return result


def _crl(issuer: Issued, now: dt.datetime) -> bytes:
    """An empty CRL signed by `issuer` (DER)."""
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=30))
        .sign(issuer.key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.DER)


def build_pki(n_signers: int) -> TestPki:
    """A throwaway PKI: P-256 CAs and signers, an RSA TSA (DummyTimeStamper needs RSA)."""
    now = dt.datetime.now(dt.UTC)
    root = _issue("Test Root CA", ec.generate_private_key(ec.SECP256R1()), None, "ca", now)
    ca = _issue("Test Issuing CA", ec.generate_private_key(ec.SECP256R1()), root, "ca", now)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = _issue("Test TSA", tsa_key, ca, "tsa", now)
    platform = _issue("Plateforme", ec.generate_private_key(ec.SECP256R1()), ca, "signer", now)
    people = tuple(
        _issue(f"Signataire {i + 1}", ec.generate_private_key(ec.SECP256R1()), ca, "signer", now)
        for i in range(n_signers)
    )
    return TestPki(root, ca, tsa, platform, people, (_crl(root, now), _crl(ca, now)))


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    """Convert a `cryptography` certificate to asn1crypto, which pyHanko expects."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: PrivateKey) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def _pdf_signer(pki: TestPki, who: Issued) -> signers.SimpleSigner:
    registry = SimpleCertificateStore.from_certs([asn1_cert(pki.ca.cert), asn1_cert(pki.root.cert)])
    return signers.SimpleSigner(asn1_cert(who.cert), _asn1_key(who.key), registry)


def timestamper(pki: TestPki) -> DummyTimeStamper:
    """An in-process RFC 3161 timestamper with the test TSA."""
    certs = SimpleCertificateStore.from_certs([asn1_cert(pki.ca.cert), asn1_cert(pki.root.cert)])
    return DummyTimeStamper(asn1_cert(pki.tsa.cert), _asn1_key(pki.tsa.key), certs)


def blank_pdf() -> bytes:
    """A one-page A4 PDF with a line of text, written by pyHanko's own writer."""
    w = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    text = b"BT /F1 14 Tf 72 800 Td (Convention Territoriale Globale) Tj ET"
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
            generic.pdf_name("/Resources"): generic.DictionaryObject(
                {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): w.add_object(font)})}
            ),
            generic.pdf_name("/Contents"): w.add_object(generic.StreamObject(stream_data=text)),
        }
    )
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def field_name(index: int) -> str:
    """Name of the signature field of signatory `index` (0-based)."""
    return f"Signataire{index + 1:02d}"


def add_fields(pdf: bytes, n: int) -> bytes:
    """One update adding `n` visible signature fields."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for i in range(n):
        col, row = i % 4, i // 4
        box = (40 + col * 130, 760 - row * 70, 160 + col * 130, 820 - row * 70)
        fields.append_signature_field(w, SigFieldSpec(field_name(i), on_page=0, box=box))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def sign(pdf: bytes, pki: TestPki, who: Issued, field: str, *, certify: bool = False) -> bytes:
    """One PAdES B-T signature on an existing field, or the certification (FILL_FORMS) in a new
    invisible field, as `convsign.pdf.signing.certify` does."""
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=certify,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        reason="Signature de la convention",
        location="Lens",
    )
    pdf_signer = signers.PdfSigner(meta, _pdf_signer(pki, who), timestamper=timestamper(pki))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = pdf_signer.sign_pdf(writer, existing_fields_only=not certify)
    return bytes(out.getvalue())


def complete_to_lta(pdf: bytes, pki: TestPki) -> bytes:
    """Add a DSS (certificates and CRLs) in one update, then a document timestamp."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    certs = [asn1_cert(c.cert) for c in (pki.root, pki.ca, pki.tsa, pki.platform, *pki.signers)]
    crls = [asn1_crl.CertificateList.load(c) for c in pki.crls]
    DocumentSecurityStore.supply_dss_in_writer(w, None, certs=certs, crls=crls)
    step = io.BytesIO()
    w.write(step)
    ts = signers.PdfTimeStamper(timestamper(pki), field_name="Horodatage")
    out = ts.timestamp_pdf(IncrementalPdfFileWriter(step), "sha256")
    return bytes(out.getvalue())


def build_document(
    pki: TestPki, n: int, *, lta: bool = False, fielded: tuple[bytes, list[str]] | None = None
) -> list[bytes]:
    """Every successive state of an n-signature document: certified, each signature[, LTA].

    `fielded` is a PDF that already has its signature fields, with their names; by default a
    blank page with `n` fields. Index k of the result is the file after k approval signatures.
    """
    pdf, names = fielded or (add_fields(blank_pdf(), n), [field_name(i) for i in range(n)])
    pdf = sign(pdf, pki, pki.platform, "Plateforme", certify=True)
    states = [pdf]
    for i in range(n):
        pdf = sign(pdf, pki, pki.signers[i], names[i])
        states.append(pdf)
    if lta:
        states.append(complete_to_lta(pdf, pki))
    return states


def append_page_content(pdf: bytes) -> bytes:
    """Tamper: an incremental update drawing a new content stream on page 1."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"0 0 1 rg 100 100 200 200 re f")
    w.add_stream_to_page(0, w.add_object(stream))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def flip_byte_in_signed_range(pdf: bytes) -> bytes:
    """Tamper: change one byte inside the page tree area (covered by every signature)."""
    at = pdf.index(b"/MediaBox") + 2
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def corrupt_contents(pdf: bytes, signature_index: int) -> bytes:
    """Tamper: flip one hex digit inside the signature value of the n-th signature (0-based)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    sig = reader.embedded_signatures[signature_index]
    value_hex = sig.signer_info["signature"].contents.hex().upper().encode()
    # search within this signature's /Contents only: each value is unique anyway
    start = sig.byte_range[1]
    at = pdf.index(value_hex, start, sig.byte_range[2]) + len(value_hex) // 2
    flipped = b"0" if pdf[at : at + 1] != b"0" else b"1"
    return pdf[:at] + flipped + pdf[at + 1 :]


def common_name(cert: x509.Certificate) -> str:
    """The subject CN of a certificate."""
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def revoking_crl(pki: TestPki, who: Issued, when: dt.datetime) -> bytes:
    """A CRL of the issuing CA revoking `who` at `when` (DER)."""
    revoked = x509.RevokedCertificateBuilder().serial_number(who.cert.serial_number).revocation_date(when).build()
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.ca.cert.subject)
        .last_update(when)
        .next_update(when + dt.timedelta(days=1))
        .add_revoked_certificate(revoked)
        .sign(pki.ca.key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.DER)
