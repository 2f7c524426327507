"""pyHanko's own logging during validation: one line per message, never a traceback.

pyHanko and its certificate validator log every failure they meet (a path that cannot be built
to a trusted root, a diff judged suspicious) with the whole traceback. The verdict already says
what failed: their messages go, one line each, to standard error (the server log), and the
command line can silence them under its report.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

LIBRARY_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


class OneLineFormatter(logging.Formatter):
    """`LEVEL logger: first line of the message (Exception: its first line)`."""

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().splitlines()
        message = lines[0] if lines else ""
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            detail = str(exc).splitlines()
            message += f" ({type(exc).__name__}: {detail[0] if detail else ''})"
        return f"{record.levelname} {record.name}: {message}"


class _StderrHandler(logging.Handler):
    """Writes to the current `sys.stderr` (looked up at each message, as the CLI runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging must never break validation
            self.handleError(record)


_HANDLER = _StderrHandler(logging.WARNING)
_HANDLER.setFormatter(OneLineFormatter())


def one_line_library_logs() -> None:
    """Route pyHanko's loggers through the one-line handler (idempotent)."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _HANDLER not in logger.handlers:
            logger.addHandler(_HANDLER)
        logger.propagate = False


@contextmanager
def silenced_library_logs() -> Iterator[None]:
    """No library message at all for the duration (the command line prints its own report)."""
    one_line_library_logs()
    level = _HANDLER.level
    _HANDLER.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        _HANDLER.setLevel(level)
