"""Compiling the package's typst templates into PDF/A-2b, the one way every document here is made.

Data reach a template only as JSON in `sys.inputs` (decoded there with `json.decode`): user text
is never interpolated into typst markup.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import typst

logger = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).parent / "templates"


def compiler(template: str, **inputs: Any) -> typst.Compiler:
    """A compiler of `templates/<template>` with each input passed as JSON; no system fonts."""
    return typst.Compiler(TEMPLATES_DIR / template, root=TEMPLATES_DIR, ignore_system_fonts=True,
                          sys_inputs={name: json.dumps(value, ensure_ascii=False) for name, value in inputs.items()})


def compile_pdfa(document: typst.Compiler, created_at: datetime | None) -> bytes:
    """PDF/A-2b bytes; `created_at` fixes the document's dates (typst takes whole seconds).

    typst.TypstError is left to the caller, which knows what a failure means for its document.
    """
    stamp = created_at.replace(microsecond=0) if created_at else None
    pdf, warnings = document.compile_with_warnings(format="pdf", pdf_standards="a-2b", timestamp=stamp)
    for warning in warnings:
        logger.warning("typst: %s", warning.message)
    assert isinstance(pdf, bytes)
    return pdf
