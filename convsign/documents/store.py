"""A content-addressed document store: each PDF is kept once, under its SHA-256, never overwritten.

A revision made by an incremental update is its predecessor plus the bytes the update appends,
so only those bytes are stored: `documents/<sha[:2]>/<sha>.inc` holds a one-line header naming
the predecessor (its hash and size) then the appended bytes. A base (generated, uploaded, new
version) is stored whole as `documents/<sha[:2]>/<sha>.pdf`. Reading rebuilds the bytes from the
nearest whole base and checks them against the SHA-256 they are stored under, as before.

Objects are written (durably) before the database row that names them is committed: after a
crash at any point an object may lack its row, never a row its object. Rebuilt documents are
kept in a small per-process cache: a hash names one content forever, so the cache cannot go
stale, and a signature does not re-read the whole chain.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from convsign.documents.objects import ObjectStore

_HEADER = b"CSINC1 "
CACHE_BYTES = 96 * 1024 * 1024


class MissingDocument(LookupError):
    """The store has no object for this hash, or its bytes do not match it: damaged or restored badly."""


class _Cache:
    """Documents by (store, hash), least recently used first out, bounded in bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], content: bytes) -> None:
        if len(content) > self.limit // 4:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = content
            self.size += len(content)
            while self.size > self.limit:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)


_cache = _Cache(CACHE_BYTES)


def _valid(sha256: str) -> str:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return sha256


def full_key(sha256: str) -> str:
    """The key of a document stored whole."""
    return f"documents/{_valid(sha256)[:2]}/{sha256}.pdf"


def increment_key(sha256: str) -> str:
    """The key of a document stored as an increment of its predecessor."""
    return f"documents/{_valid(sha256)[:2]}/{sha256}.inc"


def is_increment_of(content: bytes, base_sha256: str, base_size: int) -> bool:
    """Whether `content` is the document `base_sha256` (of `base_size` bytes) plus appended bytes."""
    return len(content) > base_size and hashlib.sha256(content[:base_size]).hexdigest() == base_sha256


class DocumentStore:
    """PDF documents in an object store, whole or as increments."""

    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects

    def put(self, content: bytes) -> str:
        """Store `content` whole (once) and return its SHA-256."""
        sha256 = hashlib.sha256(content).hexdigest()
        if not self.exists(sha256):
            self.objects.put_once(full_key(sha256), content)
        _cache.put((self.objects.url, sha256), content)
        return sha256

    def put_increment(self, content: bytes, base_sha256: str, base_size: int) -> str:
        """Store `content`, which extends the stored document `base_sha256`, as the appended bytes only."""
        if not is_increment_of(content, base_sha256, base_size):
            raise ValueError("content does not extend its base")
        if not self.exists(base_sha256):
            raise MissingDocument(base_sha256)
        sha256 = hashlib.sha256(content).hexdigest()
        if not self.exists(sha256):
            header = _HEADER + f"{base_sha256} {base_size}\n".encode("ascii")
            self.objects.put_once(increment_key(sha256), header + content[base_size:])
        _cache.put((self.objects.url, sha256), content)
        return sha256

    def get(self, sha256: str) -> bytes:
        """The content of this hash, rebuilt from its increments if need be, checked against it."""
        cached = _cache.get((self.objects.url, _valid(sha256)))
        if cached is not None:
            return cached
        suffixes: list[bytes] = []
        wanted = sha256
        while True:
            cached = _cache.get((self.objects.url, wanted))
            whole = cached if cached is not None else self.objects.get(full_key(wanted))
            if whole is not None:
                break
            increment = self.objects.get(increment_key(wanted))
            if increment is None or len(suffixes) > 100_000:
                raise MissingDocument(wanted)
            wanted, suffix = _parse_increment(increment, wanted)
            suffixes.append(suffix)
        content = b"".join([whole, *reversed(suffixes)])
        if hashlib.sha256(content).hexdigest() != sha256:
            raise MissingDocument(sha256)
        _cache.put((self.objects.url, sha256), content)
        return content

    def exists(self, sha256: str) -> bool:
        """Whether the document is stored, whole or as an increment."""
        return self.objects.exists(full_key(sha256)) or self.objects.exists(increment_key(sha256))

    def stored_whole(self, sha256: str) -> bool:
        """Whether the document is stored whole (a base, or not yet converted)."""
        return self.objects.exists(full_key(sha256))

    def convert_to_increment(self, sha256: str, base_sha256: str, base_size: int) -> bool:
        """Store a whole document as an increment of its base, then delete the whole copy.

        Crash-safe and idempotent: the increment is written and read back before the whole
        copy goes, and a second run finds nothing left to do. False when there was nothing to do.
        """
        whole = self.objects.get(full_key(sha256))
        if whole is None or hashlib.sha256(whole).hexdigest() != sha256:
            return False
        if not is_increment_of(whole, base_sha256, base_size):
            return False
        header = _HEADER + f"{base_sha256} {base_size}\n".encode("ascii")
        self.objects.put_once(increment_key(sha256), header + whole[base_size:])
        if _rebuild_without_whole(self, sha256) != whole:
            raise MissingDocument(sha256)
        self.objects.delete(full_key(sha256))
        return True

    def stored_bytes(self, sha256: str) -> int:
        """How many bytes the store spends on this document (its object, whole or increment)."""
        for key in (full_key(sha256), increment_key(sha256)):
            data = self.objects.get(key)
            if data is not None:
                return len(data)
        raise MissingDocument(sha256)


def _rebuild_without_whole(store: DocumentStore, sha256: str) -> bytes:
    """The document rebuilt from its increment object alone (its base read from the store)."""
    increment = store.objects.get(increment_key(sha256))
    if increment is None:
        raise MissingDocument(sha256)
    base, suffix = _parse_increment(increment, sha256)
    return store.get(base) + suffix


def _parse_increment(data: bytes, sha256: str) -> tuple[str, bytes]:
    """(base hash, appended bytes) of an increment object."""
    line, newline, suffix = data.partition(b"\n")
    fields = line[len(_HEADER):].split(b" ")
    if not data.startswith(_HEADER) or not newline or len(fields) != 2:
        raise MissingDocument(sha256)
    return _valid(fields[0].decode("ascii")), suffix


def clear_cache() -> None:
    """Forget the rebuilt documents of this process (tests read from the store itself)."""
    with _cache.lock:
        _cache.items.clear()
        _cache.size = 0
