"""`flask demo`'s output: logins and passphrases in aligned columns, no library chatter."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner


def test_demo_prints_aligned_tables_and_bare_passphrases(
    app: Flask, runner: FlaskCliRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert not [r for r in caplog.records if "ROS metadata" in r.getMessage()]
    chatter = [r for r in caplog.records if r.name.startswith(("pyhanko", "fontTools"))]
    assert not [r for r in chatter if r.levelno < logging.WARNING]
    kept = (Path(app.instance_path) / "demo-passphrases.txt").read_text("utf-8").splitlines()[1:]
    assert kept
    printed = result.stdout.splitlines()
    printed = printed[next(i for i, p in enumerate(printed) if "phrases secrètes" in p):]
    for line in kept:
        office, email, passphrase = line.split("\t")
        assert passphrase.isalnum() and " " not in passphrase
        row = next(p for p in printed if email in p and office in p)
        assert row.split()[-1] == passphrase  # the last word of the row is the whole passphrase
    for table in _tables(result.stdout.splitlines()):
        starts = {row.index("@") - len(row[:row.index("@")].split()[-1]) for row in table}
        assert len(starts) == 1, table  # every address starts in the same column


def _tables(lines: list[str]) -> list[list[str]]:
    """The indented rows with an address, grouped by the heading line before them."""
    tables: list[list[str]] = []
    for line in lines:
        if not line.startswith("  "):
            tables.append([])
        elif "@" in line and tables:
            tables[-1].append(line)
    return [t for t in tables if t]
