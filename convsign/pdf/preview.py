"""Page images for the browser: a page rendered to PNG (PDFium), optionally with a box highlighted.

Used to show a signatory where their signature goes, and page thumbnails. Rendering a page of a
40-signature document takes tens of milliseconds; callers cache by document hash.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import ImageDraw

from convsign.pdf.errors import PdfError

Box = tuple[float, float, float, float]
HIGHLIGHT = (242, 182, 0)  # the interface's focus colour


class PreviewFailed(PdfError):
    """The page could not be rendered."""

    code = "preview_failed"


def render_page_png(pdf: bytes, page_index: int, *, width: int = 900, highlight: Box | None = None) -> bytes:
    """Page `page_index` as a PNG `width` pixels wide; `highlight` (PDF points, bottom-left origin) outlined."""
    try:
        document = pdfium.PdfDocument(pdf)
        try:
            document.init_forms()  # signature appearances are form widgets: draw them
            page = document[page_index]
            page_width, page_height = page.get_size()
            scale = width / page_width
            image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
        finally:
            document.close()
    except (pdfium.PdfiumError, IndexError, ValueError) as error:
        raise PreviewFailed(reason=type(error).__name__) from error
    if highlight is not None:
        x1, y1, x2, y2 = highlight
        outline = [x1 * scale, (page_height - y2) * scale, x2 * scale, (page_height - y1) * scale]
        ImageDraw.Draw(image).rectangle(outline, outline=HIGHLIGHT, width=max(3, int(scale * 2.5)))
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
