"""Form fields other than signature fields, revision by revision: which ones changed.

The difference policy (`_policy`) already refuses any change to such a field after a signature;
this names the field, so that the report can say « contenu modifié après la signature : champ
« montant » » rather than only "modified". A field's state is its value, its appearance state
and the content of its appearance streams (an appearance rewritten in place counts), for it and
for its widgets; a field that appears or disappears changes too.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

_MAX_DEPTH = 12  # deep enough for any field's value and appearance dictionaries


def field_changes(reader: PdfFileReader) -> dict[int, frozenset[str]]:
    """For each revision after the first, the non-signature fields that differ from the revision
    before (empty revisions are left out)."""
    changes: dict[int, frozenset[str]] = {}
    before = field_states(reader.get_historical_resolver(0))
    for revision in range(1, reader.xrefs.total_revisions):
        now = field_states(reader.get_historical_resolver(revision))
        changed = frozenset(name for name in before.keys() | now.keys() if before.get(name) != now.get(name))
        if changed:
            changes[revision] = changed
        before = now
    return changes


def changed_after(changes: dict[int, frozenset[str]], revision: int) -> tuple[str, ...]:
    """The fields changed by any revision after `revision`, sorted."""
    names: set[str] = set()
    for rev, changed in changes.items():
        if rev > revision:
            names |= changed
    return tuple(sorted(names))


def field_states(hist: HistoricalResolver) -> dict[str, bytes]:
    """A digest of each non-signature terminal field's state, by qualified name."""
    root = hist.root
    if "/AcroForm" not in root:
        return {}
    form = root["/AcroForm"]
    fields = form.get("/Fields") if isinstance(form, generic.DictionaryObject) else None
    states: dict[str, bytes] = {}
    if isinstance(fields, generic.ArrayObject):
        _collect(fields, "", None, states, set())
    return states


def _collect(fields: Any, prefix: str, inherited: Any, states: dict[str, bytes], seen: set[Any]) -> None:
    for raw in fields:
        ref = raw.reference if isinstance(raw, generic.IndirectObject) else None
        if ref is not None and ref in seen:
            continue  # a loop in the field tree
        seen.add(ref)
        field = raw.get_object()
        if not isinstance(field, generic.DictionaryObject):
            continue
        name = prefix + str(field.get("/T", ""))
        field_type = field.get("/FT", inherited)
        kids = field.get("/Kids")
        named_kids = isinstance(kids, generic.ArrayObject) and any(
            isinstance(k.get_object(), generic.DictionaryObject) and "/T" in k.get_object() for k in kids
        )
        if named_kids:
            _collect(kids, name + ".", field_type, states, seen)
        elif field_type != "/Sig":
            states[name or "?"] = _digest(field)


def _digest(obj: Any) -> bytes:
    """A digest of an object with everything it refers to (bounded depth, loops cut)."""
    sha = hashlib.sha256()
    _feed(obj, sha, 0, set())
    return sha.digest()


def _feed(obj: Any, sha: Any, depth: int, seen: set[Any]) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(obj, generic.IndirectObject):
        if obj.reference in seen:
            sha.update(b"R")
            return
        seen = seen | {obj.reference}
        obj = obj.get_object()  # type: ignore[no-untyped-call]
    if isinstance(obj, generic.DictionaryObject):
        sha.update(b"<<")
        for key in sorted(obj.keys()):
            if key in ("/Parent", "/P"):
                continue  # back-references: the page or parent field is not the field's state
            sha.update(str(key).encode() + b" ")
            _feed(obj.raw_get(key), sha, depth + 1, seen)
        sha.update(b">>")
        if isinstance(obj, generic.StreamObject):
            sha.update(obj.encoded_data or b"")
    elif isinstance(obj, generic.ArrayObject):
        sha.update(b"[")
        for item in obj:
            _feed(item, sha, depth + 1, seen)
        sha.update(b"]")
    else:
        sha.update(repr(obj).encode() + b";")
