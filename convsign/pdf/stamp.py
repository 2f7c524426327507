"""The visible signature stamp: French text lines in an embedded, subset Cantarell font.

Cantarell is an OpenType/CFF font with 1000 units per em, so pyHanko's glyph widths come out
right (TrueType fonts with 2048 units render about twice too wide), and it covers ’ « » € that
Courier breaks on. The font is subset once per process to the characters stamps may use:
embedding the whole font would cost about 200 ms per signature.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

FONT_PATH = Path(__file__).parent / "fonts" / "Cantarell-Regular.otf"
FONT_SIZE = 9
_LATIN = [*range(0x20, 0x7F), *range(0xA0, 0x180)]  # ASCII, Latin-1, Latin Extended-A
_FRENCH_PUNCTUATION = "‘’“”«»–—…€•\u202f\u2009"


@functools.cache
def stamp_characters() -> frozenset[str]:
    """Every character a stamp line may contain (those the subset font can draw)."""
    wanted = {chr(c) for c in _LATIN} | set(_FRENCH_PUNCTUATION)
    with TTFont(FONT_PATH, lazy=True) as font:
        cmap = font.getBestCmap()
    return frozenset(char for char in wanted if ord(char) in cmap)


def unsupported_characters(lines: Sequence[str]) -> list[str]:
    """Characters of `lines` the stamp cannot draw, in order of appearance, without repeats."""
    allowed = stamp_characters()
    return list(dict.fromkeys(char for line in lines for char in line if char not in allowed))


@functools.cache
def subset_font() -> bytes:
    """The stamp font cut down to `stamp_characters()`, computed once per process."""
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and licence names (OFL condition)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[ord(char) for char in stamp_characters()])
    out = BytesIO()
    with TTFont(FONT_PATH) as font:
        subsetter.subset(font)
        font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class SubsetFontFactory(FontEngineFactory):
    """pyHanko font engine factory reading the pre-subset font from memory (no file handle left)."""

    font_size: int = FONT_SIZE

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        """A glyph accumulator for one appearance; pyHanko subsets it again to the used glyphs."""
        return GlyphAccumulator(
            writer=writer,
            font_handle=BytesIO(subset_font()),
            font_size=self.font_size,
            bcp47_lang_code="fr",
            obj_stream=obj_stream,
        )


def stamp_style() -> TextStampStyle:
    """Left-aligned lines with a thin border, shrunk to fit the field's rectangle if needed."""
    inner = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MIN,
        y_align=layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins(left=4, right=4, top=4, bottom=4),
        inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
    )
    text_box = TextBoxStyle(font=SubsetFontFactory(), font_size=FONT_SIZE, leading=FONT_SIZE + 2)
    return TextStampStyle(
        stamp_text="%(lines)s",
        text_box_style=text_box,
        inner_content_layout=inner,
        border_width=1,
        background=None,
    )


def text_params(lines: Sequence[str]) -> dict[str, str]:
    """Parameters for `stamp_style()`: the lines go in as a value, so a '%' in them is harmless."""
    return {"lines": "\n".join(lines)}
