"""Translation catalogs: `.po` files are the source; `.mo` files are compiled at start-up.

Compiled catalogs go to the instance folder, so that the package can be read-only and no
compiled file is committed. `python -m convsign.i18n_catalogs update` re-extracts the messages
from the code and templates and merges them into every `.po` file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_DIR = PACKAGE_DIR / "translations"
ROOT = PACKAGE_DIR.parent
KEYWORDS = ("_", "gettext", "_l", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2")


def compile_catalogs(target_dir: Path) -> Path:
    """Compile every `.po` newer than its `.mo` into `target_dir`; returns `target_dir`."""
    for po_path in SOURCE_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target_dir / po_path.relative_to(SOURCE_DIR).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        tmp = mo_path.with_suffix(f".{os.getpid()}.tmp")  # workers may compile at once
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        tmp.replace(mo_path)
    return target_dir


def extract(pot_path: Path) -> None:
    """Extract the messages of the code and templates into `pot_path`."""
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    _pybabel("extract", "-F", str(ROOT / "babel.cfg"), *keywords, "--no-location", "--sort-output",
             "--project", "convsign", "-o", str(pot_path), str(ROOT))


def update() -> None:
    """Re-extract and merge into each language's `.po` (new messages arrive untranslated)."""
    pot = SOURCE_DIR / "messages.pot"
    extract(pot)
    _pybabel("update", "-i", str(pot), "-d", str(SOURCE_DIR), "--no-fuzzy-matching", "--ignore-obsolete")


def _pybabel(*args: str) -> None:
    """Run a pybabel command in this process (extraction paths are relative to the project root)."""
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        run = cast(Callable[[list[str]], object], CommandLineInterface().run)  # babel leaves it untyped
        run(["pybabel", "-q", *args])
    finally:
        os.chdir(previous)


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
    else:
        sys.exit("usage: python -m convsign.i18n_catalogs update")
