"""Where the instance keeps its objects (documents, audit witness): a folder or an S3 bucket.

`CONVSIGN_STORAGE_URL` chooses: `file://PATH` (the default: the instance folder) or
`s3://BUCKET[/PREFIX]`, reached with boto3 and the CONVSIGN_S3_* settings. Either way an object
is written once and never overwritten: `put_once` refuses an existing key (an atomic hard link
on a folder, `If-None-Match: *` on S3), so two nodes racing on one key cannot replace each other's
bytes. Only the store migration deletes (a full document once its increment is safely stored).

This module imports neither Flask nor the models: the settings arrive as arguments.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse


class ObjectStore(Protocol):
    """Write-once objects by key (`documents/ab/ab12….pdf`)."""

    url: str

    def put_once(self, key: str, data: bytes) -> bool:
        """Store `data` under `key` durably; False (and nothing written) if the key exists."""

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such key."""

    def exists(self, key: str) -> bool:
        """Whether the key exists."""

    def delete(self, key: str) -> None:
        """Remove the key (the store migration only)."""

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key starting with `prefix`, in lexical order."""


@dataclass(frozen=True)
class S3Settings:
    """How to reach the S3 service (an unset field falls back to boto3's own configuration)."""

    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str | None = None


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"invalid object key: {key!r}")
    return key


class FileObjects:
    """Objects as files under `root`: temporary file, fsync, hard link (fails if present), fsync."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.as_uri()

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_once(self, key: str, data: bytes) -> bool:
        target = self._path(key)
        if target.exists():
            return False
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # mkstemp's file is 0600
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, target)  # unlike rename, never replaces an existing file
            except FileExistsError:
                return False
        finally:
            Path(tmp).unlink(missing_ok=True)
        _fsync_dir(target.parent)
        return True

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
        _fsync_dir(self._path(key).parent)

    def keys(self, prefix: str) -> Iterator[str]:
        base = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and not path.name.startswith(".") and key.startswith(prefix):
                yield key


class S3Objects:
    """Objects in an S3 bucket, under an optional prefix."""

    def __init__(self, bucket: str, prefix: str, settings: S3Settings, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.url = f"s3://{bucket}/{self.prefix}"
        self.client = client or _client(settings)

    def put_once(self, key: str, data: bytes) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + _check_key(key), Body=data, IfNoneMatch="*")
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (409, 412):
                return False
            raise
        return True

    def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _check_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return bytes(answer["Body"].read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + _check_key(key))
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + _check_key(key))

    def keys(self, prefix: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield str(item["Key"])[len(self.prefix):]


def _client(settings: S3Settings) -> Any:
    import boto3  # only where S3 is configured: boto3 is slow to import
    from botocore.config import Config

    return boto3.client(
        "s3", endpoint_url=settings.endpoint_url, aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=settings.secret_access_key, region_name=settings.region or "us-east-1",
        config=Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=32),
    )


def open_store(url: str, settings: S3Settings) -> ObjectStore:
    """The store named by `url` (file://PATH or s3://BUCKET[/PREFIX])."""
    parsed = urlparse(url)
    if parsed.scheme == "file" and parsed.path:
        return FileObjects(Path(unquote(parsed.path)))
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Objects(parsed.netloc, parsed.path, settings)
    raise ValueError(f"CONVSIGN_STORAGE_URL must be file://PATH or s3://BUCKET[/PREFIX], not {url!r}")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
