"""A `PdfFileReader` for validation that avoids two costs of pyHanko's reader.

- pyHanko never caches an object read "as of" an older revision, so every historical view
  parses again each object a later revision replaced (a form field before its signature, the
  AcroForm, the catalogue). The bytes at one location of one file never change, so the parsed
  object is kept per location.
- pyHanko reads a hex string one byte at a time in Python: a signature's /Contents (tens of
  kilobytes) costs more than checking the signature. When a signature dictionary starts the
  way pyHanko writes it (`<< /Contents <hex...>`), the rest of the dictionary is parsed by
  pyHanko with the long hex string set aside, and the string is decoded at once. Anything
  unusual (odd length, another /Contents, a `#` name escape) falls back to pyHanko's parser.
"""

from __future__ import annotations

import binascii
import io
import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

# /Contents first in the dictionary: it cannot then sit inside a string or a comment.
_LONG_CONTENTS = re.compile(rb"\d+\s+\d+\s+obj\s*<<\s*/Contents\s*<([0-9A-Fa-f]{2048,})>")


class MemoReader(PdfFileReader):
    """`PdfFileReader` over bytes, with a per-location memo of parsed objects (read-only use)."""

    def __init__(self, pdf: bytes) -> None:
        self._data = pdf
        self._parsed: dict[tuple[Any, ...], Any] = {}
        self._fast_hex = False  # not while the file's structure is being read
        super().__init__(io.BytesIO(pdf))
        # An encrypted file's strings are not plain hex: leave them to pyHanko.
        self._fast_hex = "/Encrypt" not in self.trailer

    def _read_object(
        self,
        ref: generic.Reference,
        marker: Any,
        never_decrypt: bool = False,
        as_metadata_stream: bool = False,
    ) -> Any:
        if marker is None:
            return super()._read_object(ref, marker, never_decrypt, as_metadata_stream)
        key = (ref.idnum, ref.generation, marker, never_decrypt, as_metadata_stream)
        found = self._parsed.get(key)
        if found is None:
            found = self._read_fast(ref, marker, never_decrypt, as_metadata_stream)
            self._parsed[key] = found
        return found

    def _read_fast(self, ref: Any, marker: Any, never_decrypt: bool, as_metadata: bool) -> Any:
        """Parse one object, setting a long leading /Contents hex string aside if there is one."""
        match = None
        if self._fast_hex and isinstance(marker, int) and not as_metadata:
            match = _LONG_CONTENTS.match(self._data, marker)
        if match is None or not self._plain_signature(match, marker):
            return super()._read_object(ref, marker, never_decrypt, as_metadata)
        saved = self.stream
        self.stream = io.BytesIO(self._data[: match.start(1)] + self._data[match.end(1) :])
        try:
            obj = super()._read_object(ref, marker, never_decrypt, as_metadata)
        finally:
            self.stream = saved
        _restore_contents(obj, match.group(1))
        return obj

    def _plain_signature(self, match: re.Match[bytes], start: int) -> bool:
        """Only the form pyHanko writes: even hex, one /Contents, no escaped names."""
        end = self._data.find(b"endobj", match.end())
        return (
            len(match.group(1)) % 2 == 0
            and end > 0
            and self._data.count(b"/Contents", start, end) == 1
            and b"#" not in self._data[start:end]
        )


def _restore_contents(obj: Any, hex_digits: bytes) -> None:
    """Put back the decoded string exactly as pyHanko's hex string reader would return it."""
    placeholder = obj.raw_get("/Contents")
    value = generic.pdf_string(binascii.unhexlify(hex_digits))
    container = getattr(placeholder, "container_ref", None)
    if container is not None:
        value.container_ref = container
    dict.__setitem__(obj, "/Contents", value)
