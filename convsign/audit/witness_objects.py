"""The audit witness as write-once objects in the shared store, for instances with several nodes.

A file appended by one node is not seen by another, so when CONVSIGN_STORAGE_URL is set (and
CONVSIGN_AUDIT_WITNESS_PATH is not) each committed entry is witnessed by one object
`audit-witness/<id, 12 digits>-<entry hash>` holding the line "id hash". Objects are never
overwritten: an entry id reused after a bad restore gets a second object, and verification
then reports the mismatch, as the file would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from convsign.documents.objects import ObjectStore

PREFIX = "audit-witness/"
_KEY = re.compile(r"^audit-witness/(\d{12})-([0-9a-f]{64})$")


@dataclass(frozen=True)
class ObjectWitness:
    """The witness objects of one store."""

    objects: ObjectStore

    def append(self, text: str) -> None:
        """Write one object per line "id hash" of `text`."""
        for line in text.splitlines():
            entry_id, entry_hash = line.split(" ")
            self.objects.put_once(f"{PREFIX}{int(entry_id):012d}-{entry_hash}", (line + "\n").encode("ascii"))

    def lines(self) -> Iterator[str]:
        """The witnessed lines "id hash", read from the objects' keys, in id order."""
        for key in self.objects.keys(PREFIX):
            match = _KEY.match(key)
            if match:
                yield f"{int(match.group(1))} {match.group(2)}"
