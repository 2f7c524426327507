"""What the convention's text must be for the generator to lay it out: no word longer than LONGEST_WORD.

A PDF/A text string holds 32,767 bytes at most and typst writes an unbreakable run of characters as
one string, so a 20,000-character "word" made the opening fail. The rule is checked when the draft is
saved, and the OpenAPI description states it as a pattern (WORDS_PATTERN) a client can check first.
"""

from __future__ import annotations

import re

LONGEST_WORD = 1000
# Words are separated by ASCII spaces, tabs and line breaks only (a no-break space does not break).
SEPARATORS = " \\t\\r\\n"
WORD_BREAKS = re.compile(f"[{SEPARATORS}]+")
# The same rule as a regular expression (ECMA 262 and Python alike), with no NUL anywhere; each word
# must reach a separator, so matching stays linear.
_WORD = f"[^\\u0000{SEPARATORS}]{{1,{LONGEST_WORD}}}"
WORDS_PATTERN = f"^[{SEPARATORS}]*(?:{_WORD}(?:[{SEPARATORS}]+{_WORD})*[{SEPARATORS}]*)?$"


def longest_word(text: str) -> int:
    """The length of the longest run of characters without a separator."""
    return max((len(word) for word in WORD_BREAKS.split(text)), default=0)
