"""poppler's pdfsig, an independent validator, with a throwaway NSS database trusting a root."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


def require_tools() -> None:
    """Skip locally without poppler-utils/libnss3-tools; in CI (.ci/run installs them) fail."""
    if shutil.which("pdfsig") and shutil.which("certutil"):
        return
    message = "pdfsig (poppler-utils) and certutil (libnss3-tools) are needed"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run_pdfsig(pdf: bytes, root: x509.Certificate, workdir: Path) -> str:
    """pdfsig's report of `pdf` with `root` as the only trusted anchor."""
    require_tools()
    database = workdir / "nss"
    database.mkdir(exist_ok=True)
    root_pem = workdir / "root.pem"
    root_pem.write_bytes(root.public_bytes(Encoding.PEM))
    subprocess.run(["certutil", "-N", "-d", f"sql:{database}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{database}", "-n", "root", "-t", "CT,C,C", "-i", str(root_pem)],
                   check=True)
    path = workdir / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", "-nssdir", f"sql:{database}", str(path)], capture_output=True, text=True,
                          check=False).stdout


def signature_blocks(report: str) -> list[str]:
    """pdfsig's report cut into one block per signature."""
    return ["Signature #" + block for block in report.split("Signature #")[1:]]
