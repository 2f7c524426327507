"""Coded exceptions of the pdf package: a stable machine `code` plus structured details.

The web layer maps each code to a translated message; nothing here is user-interface text.
Other modules of the package (signing, validation) add their own subclasses of `PdfError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar


class PdfError(Exception):
    """Base of every error raised by `convsign.pdf`: `code` is a short snake_case string."""

    code: str = "pdf_error"

    def __init__(self, code: str | None = None, /, **details: object) -> None:
        if code is not None:
            self.code = code
        self.details: Mapping[str, object] = MappingProxyType(dict(details))
        super().__init__(self.code, dict(details))

    def __str__(self) -> str:
        if not self.details:
            return self.code
        shown = ", ".join(f"{key}={value!r}" for key, value in self.details.items())
        return f"{self.code} ({shown})"


class _ClosedCodeError(PdfError):
    """A PdfError whose code must belong to the class's closed set `CODES`."""

    CODES: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, code: str, /, **details: object) -> None:
        if code not in self.CODES:
            # A typo in a code would reach the web layer as an untranslatable message.
            raise ValueError(f"unknown {type(self).__name__} code: {code!r}")
        super().__init__(code, **details)


class PdfRejected(_ClosedCodeError):
    """An uploaded or supplied PDF is refused (see `convsign.pdf.inspection`)."""

    CODES = frozenset(
        {
            "empty",
            "not_pdf",
            "too_large",
            "damaged",
            "encrypted",
            "already_signed",
            "too_many_pages",
            "decode_limit",
            "active_content",
            "form_fields",
            "too_slow",
        }
    )


class RenderFailed(PdfError):
    """typst could not compile the convention: a bug of the template, never of user text."""

    code = "render_failed"


class FieldError(_ClosedCodeError):
    """Signature fields cannot be created as asked (see `convsign.pdf.fields`)."""

    CODES = frozenset({"invalid_field_name", "duplicate_field_name", "field_exists", "invalid_placement"})


class SpecError(_ClosedCodeError):
    """The description of a convention cannot be rendered (see `convsign.pdf.generation`)."""

    CODES = frozenset({"invalid_period", "no_signatories", "unsupported_character"})
