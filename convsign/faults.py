"""Fault injection for the crash tests: kill this worker process at a named step of a signature.

Set only by tests (CONVSIGN_FAULT_INJECTION=<step>); each fault fires once per instance folder,
so the restarted worker then runs normally. Steps: signed_in_memory, document_file_written,
before_commit, after_commit.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from flask import current_app


def crash_point(step: str) -> None:
    """SIGKILL this process here, if the configured fault is `step` and has not fired yet."""
    if current_app.config.get("FAULT_INJECTION") != step:
        return
    marker = Path(current_app.instance_path) / f"fault-{step}.fired"
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)
