"""SIREN (check digit via python-stdnum) and INSEE commune codes."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from convsign.rules.identifiers import InvalidIdentifier, normalise_insee, normalise_siren


def test_loison_sous_lens_siren() -> None:
    assert normalise_siren("216 205 237") == "216205237"


@pytest.mark.parametrize("value,reason", [
    ("216205238", "checksum"), ("21620523", "format"), ("2162052370", "format"), ("21620523A", "format"),
    ("", "format"),
])
def test_bad_siren(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_siren(value)
    assert caught.value.reason == reason


@pytest.mark.parametrize("value", ["62523", "01001", "2A004", "2b033", "97411", "95127"])
def test_good_insee(value: str) -> None:
    assert normalise_insee(value) == value.upper()


@pytest.mark.parametrize("value", ["00123", "96001", "2C001", "97711", "6252", "625230", "abcde", "98000"])
def test_bad_insee(value: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalise_insee(value)


def test_every_shipped_commune_passes_both_checks() -> None:
    text = resources.files("convsign.demo").joinpath("data/communes-lens-lievin.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 36
    for row in rows:
        assert normalise_siren(row["siren"]) == row["siren"]
        assert normalise_insee(row["insee"]) == row["insee"]
