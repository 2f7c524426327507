"""URL converters: every `<int:…>` in a route is a database id, an INTEGER column.

A number past that column's range names nothing, so it must not reach the database (SQLite cannot
bind it, PostgreSQL refuses it). The converter's regular expression itself stops at the largest
id: such a URL matches no route at all, and the caller gets 404, whatever the method (a converter
that refused the value only after matching would let werkzeug answer 405 for a sibling route).
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# The largest value of a 32-bit signed INTEGER, the type of every id column on PostgreSQL.
MAX_ID = 2**31 - 1


def up_to(limit: int) -> str:
    """A regular expression of the decimal numbers 0 to `limit`, without leading zeros."""
    digits = str(limit)
    shorter = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same = []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            below = f"[{low}-{int(digit) - 1}]"
            rest = len(digits) - i - 1
            same.append(digits[:i] + below + (rf"\d{{{rest}}}" if rest else ""))
    return "|".join(["0", *shorter, *same, digits])


class IdConverter(IntegerConverter):
    """`<int:…>`: a database id, 0 to MAX_ID, written without sign or leading zero."""

    regex = f"(?:{up_to(MAX_ID)})"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, *args, **kwargs)
        if args or kwargs:
            raise ValueError("<int:…> takes no argument: it is a database id")
