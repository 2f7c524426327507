"""Small builders of good and hostile PDFs, made at test time: nothing binary is committed.

`raw_pdf` writes a classic cross-reference table by hand, so each hostile structure (loops,
scripts, bombs) is spelt out in a few bytes and nothing normalises it away.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from collections.abc import Sequence

import typst
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader, PdfWriter

MiB = 1024 * 1024
CONTENT = b"BT /F1 12 Tf 72 720 Td (Bonjour) Tj ET"


def raw_pdf(objects: Sequence[bytes], *, root: int = 1) -> bytes:
    """A PDF whose object n is `objects[n - 1]`, with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """A stream object body."""
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def simple_pdf(pages: int = 1, *, catalog_extra: bytes = b"", page_extra: bytes = b"", content: bytes = b"") -> bytes:
    """Catalog (1), page tree (2), one shared content stream (3), then the pages (4…)."""
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        content or stream(CONTENT),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R %s>>"
    objects += [page % page_extra] * pages
    return raw_pdf(objects)


def javascript_open_action() -> bytes:
    """Runs a script when the document opens."""
    return simple_pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> ")


def launch_link() -> bytes:
    """A link annotation that launches a program."""
    action = b"<< /S /Launch /F (calc.exe) >>"
    annot = b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A %s >>" % action
    return simple_pdf(page_extra=b"/Annots [%s] " % annot)


def page_tree_loop() -> bytes:
    """The page tree lists itself among its kids."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>",
        stream(CONTENT),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>",
    ]
    return raw_pdf(objects)


def reference_chain_loop() -> bytes:
    """Two objects that are references to each other, reachable from the catalog."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Extra 5 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        stream(CONTENT),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>",
        b"6 0 R",
        b"5 0 R",
    ]
    return raw_pdf(objects)


def broken_xref() -> bytes:
    """startxref points into the middle of an object."""
    pdf = simple_pdf()
    head, _, tail = pdf.rpartition(b"startxref\n")
    return head + b"startxref\n" + b"%d" % (len(head) // 3) + tail[tail.index(b"\n") :]


def truncated() -> bytes:
    """The last third, xref and trailer included, is missing."""
    pdf = simple_pdf(pages=3)
    return pdf[: len(pdf) * 2 // 3]


def decompression_bomb(decoded_mib: int = 300) -> bytes:
    """A page content stream of `decoded_mib` MiB of zeros, deflated to about 1/1000."""
    return simple_pdf(content=stream(deflated_zeros(decoded_mib), b"/Filter /FlateDecode "))


def deflated_zeros(decoded_mib: int) -> bytes:
    """A valid zlib stream of `decoded_mib` MiB of zeros.

    Each MiB is compressed once after a full flush (which resets the dictionary), so every
    later MiB deflates to the same bytes: repeating them builds a valid zlib stream fast.
    """
    chunk = bytes(MiB)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(decoded_mib):
        checksum = zlib.adler32(chunk, checksum)
    final_empty_block = b"\x03\x00"
    return first + repeated * (decoded_mib - 1) + final_empty_block + checksum.to_bytes(4, "big")


def typst_pdf(pages: int) -> bytes:
    """A plain, valid PDF of `pages` pages made by typst."""
    source = b'#set text(lang: "fr")\n#for i in range(%d) [Page #(i + 1) #pagebreak(weak: true)]\n'
    return typst.compile(source % pages, format="pdf", ignore_system_fonts=True)


def encrypted(pdf: bytes) -> bytes:
    """The same PDF, encrypted by pypdf (AES-256, empty user password)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="", owner_password="proprietaire", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed(pdf: bytes) -> bytes:
    """The same PDF signed by a throwaway self-signed P-256 key (pyHanko SimpleSigner)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Signataire de test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    signer = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([signing_cert]),
    )
    meta = signers.PdfSignatureMetadata(field_name="Signature1")
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
    return bytes(out.getvalue())
