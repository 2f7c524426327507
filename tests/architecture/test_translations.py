"""English is complete: every message of the code and templates has its translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from convsign.i18n_catalogs import SOURCE_DIR, extract


def test_every_message_is_translated_into_english(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    extract(pot)
    with pot.open("rb") as handle:
        expected = {message.id for message in read_po(handle) if message.id}
    with (SOURCE_DIR / "en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and not m.fuzzy and m.string
                  and (not isinstance(m.string, tuple) or all(m.string))}
    missing = sorted(str(m) for m in expected - translated)
    assert missing == [], f"{len(missing)} untranslated; run python -m convsign.i18n_catalogs update"
