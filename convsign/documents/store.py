"""A content-addressed file store: each PDF is kept once, under its SHA-256, never overwritten.

Files are written (temporary file, fsync, rename, fsync of the folder) before the database row
that names them is committed: after a crash at any point a file may lack its row, never a row
its file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class MissingDocument(LookupError):
    """The store has no file for this hash: the instance folder was damaged or restored badly."""


class DocumentStore:
    """PDF files under `root`, at `<root>/<sha[:2]>/<sha>.pdf`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the file of this hash lives."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / f"{sha256}.pdf"

    def put(self, content: bytes) -> str:
        """Store `content` durably (once) and return its SHA-256."""
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return sha256

    def get(self, sha256: str) -> bytes:
        """The content of this hash, checked against it."""
        try:
            content = self.path(sha256).read_bytes()
        except FileNotFoundError as error:
            raise MissingDocument(sha256) from error
        if hashlib.sha256(content).hexdigest() != sha256:
            raise MissingDocument(sha256)
        return content

    def exists(self, sha256: str) -> bool:
        """Whether a file is stored under this hash."""
        return self.path(sha256).exists()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
