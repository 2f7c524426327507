"""The @ctes identifier: parsed with one anchored expression, each fault refused with its own code."""

from __future__ import annotations

from datetime import date

import pytest

from convsign.rules.actes import (
    ActesError,
    ActesIdentifier,
    deliberation_mismatches,
    parse_actes_identifier,
)

LOISON = "062-216205237-20221213-del-131222-330-DE"


def test_the_real_deliberation_parses_into_its_five_parts() -> None:
    parsed = parse_actes_identifier(LOISON)
    assert parsed == ActesIdentifier(
        department="062",
        siren="216205237",
        decision_date=date(2022, 12, 13),
        internal_number="del-131222-330",
        nature="DE",
    )
    assert str(parsed) == LOISON
    assert deliberation_mismatches(parsed, "216205237", date(2022, 12, 13)) == []


def test_surrounding_spaces_are_ignored_and_inner_ones_kept() -> None:
    assert parse_actes_identifier(f"  {LOISON}\n").internal_number == "del-131222-330"
    assert parse_actes_identifier("062-216205237-20221213-DEL 2022 12-DE").internal_number == "DEL 2022 12"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("062-216205238-20221213-del-131222-330-DE", "siren_checksum"),  # wrong check digit
        ("062-216205237-20221313-del-131222-330-DE", "decision_date"),  # no 13th month
        ("062-216205237-20221213-del-131222-330AB-DE", "internal_number"),  # 16 characters
        ("062-216205237-20221213--del-DE", "internal_number"),  # starts with a hyphen
        ("062-216205237-20221213-del_-DE", "internal_number"),  # ends with an underscore
        ("062-216205237-20221213-del-131222-330-XX", "nature"),
        ("062-216205237-20221213-del-131222-330-de", "nature"),
        ("062-216205237-20221213-DE", "format"),  # no internal number
        ("62-216205237-20221213-del-DE", "format"),  # department on two characters
        ("062-21620523-20221213-del-DE", "format"),  # SIREN of eight digits
        ("062/216205237/20221213/del/DE", "format"),
        ("", "format"),
    ],
)
def test_each_fault_has_its_own_code(value: str, code: str) -> None:
    with pytest.raises(ActesError) as caught:
        parse_actes_identifier(value)
    assert caught.value.code == code


def test_fifteen_characters_is_the_longest_internal_number() -> None:
    assert parse_actes_identifier("062-216205237-20221213-del-131222-330-DE").internal_number == "del-131222-330"
    assert parse_actes_identifier("062-216205237-20221213-ABCDEFGHIJKLMNO-DE").internal_number == "ABCDEFGHIJKLMNO"


def test_a_well_formed_identifier_must_fit_the_deliberation() -> None:
    other_commune = parse_actes_identifier("062-216204982-20221213-del-131222-330-DE")
    assert [m.code for m in deliberation_mismatches(other_commune, "216205237", date(2022, 12, 13))] == [
        "siren_mismatch"
    ]
    assert [
        m.code for m in deliberation_mismatches(parse_actes_identifier(LOISON), "216205237", date(2022, 12, 12))
    ] == ["date_mismatch"]
    contract = parse_actes_identifier("062-216205237-20221213-del-131222-330-CC")
    assert [m.code for m in deliberation_mismatches(contract, "216205237", date(2022, 12, 13))] == [
        "nature_not_deliberation"
    ]


def test_random_text_raises_only_the_coded_error() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    strategies = pytest.importorskip("hypothesis.strategies")

    alphabet = strategies.sampled_from("0123456789-_ ABDEdel\n/")

    @hypothesis.given(strategies.one_of(strategies.text(), strategies.text(alphabet, max_size=60)))
    @hypothesis.settings(max_examples=200, deadline=None)
    def check(value: str) -> None:
        try:
            parsed = parse_actes_identifier(value)
        except ActesError as error:
            assert error.code in {"format", "siren_checksum", "decision_date", "internal_number", "nature"}
        else:
            assert parse_actes_identifier(str(parsed)) == parsed

    check()


def test_generated_identifiers_round_trip() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    internal = st.from_regex(r"\A(?:[A-Za-z0-9][A-Za-z0-9\-_ ]{0,13})?[A-Za-z0-9]\Z")

    @hypothesis.given(internal, st.dates(date(1000, 1, 1)), st.sampled_from(["DE", "AR", "AI", "CC", "BF", "AU"]))
    @hypothesis.settings(max_examples=300, deadline=None)
    def check(number: str, day: date, nature: str) -> None:
        parsed = parse_actes_identifier(f"062-216205237-{day:%Y%m%d}-{number}-{nature}")
        assert (parsed.internal_number, parsed.decision_date, parsed.nature) == (number, day, nature)

    check()
