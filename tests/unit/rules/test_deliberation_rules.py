"""Deliberation coherence: dates in order, attendance and quorum, votes that add up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from convsign.rules.deliberation_rules import DeliberationFacts, Problem, has_quorum, is_executory, problems

# Loison-sous-Lens, 13 December 2022 (members in office and present inferred, see the demo).
LOISON = DeliberationFacts(
    session_date=date(2022, 12, 13),
    convocation_date=date(2022, 12, 5),
    members_in_office=29,
    members_present=20,
    members_represented=0,
    unanimous=True,
    sent_on=date(2022, 12, 19),
    acknowledged_on=date(2022, 12, 19),
    published_on=date(2022, 12, 19),
    executory_on=date(2022, 12, 19),
)


def test_the_real_deliberation_is_coherent_and_executory() -> None:
    assert problems(LOISON) == []
    assert is_executory(LOISON, date(2022, 12, 19))
    assert not is_executory(LOISON, date(2022, 12, 18))
    assert not is_executory(replace(LOISON, executory_on=None), date(2030, 1, 1))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"convocation_date": date(2022, 12, 14)}, Problem("convocation_date", "convocation_after_session")),
        ({"sent_on": date(2022, 12, 12)}, Problem("sent_on", "sent_before_session")),
        ({"acknowledged_on": date(2022, 12, 18)}, Problem("acknowledged_on", "acknowledged_before_sent")),
        ({"sent_on": None, "executory_on": None}, Problem("acknowledged_on", "acknowledged_without_transmission")),
        (
            {"published_on": date(2022, 12, 1), "executory_on": None},
            Problem("published_on", "published_before_session"),
        ),
        (
            {"executory_on": date(2022, 12, 18), "published_on": date(2022, 12, 17)},
            Problem("executory_on", "executory_before_transmission"),
        ),
        ({"published_on": date(2022, 12, 20)}, Problem("executory_on", "executory_before_publication")),
        ({"published_on": None}, Problem("executory_on", "executory_without_publication")),
    ],
)
def test_dates_out_of_order_are_refused_on_their_field(changes: dict[str, object], expected: Problem) -> None:
    assert expected in problems(replace(LOISON, **changes))  # type: ignore[arg-type]


def test_executory_without_transmission_is_refused() -> None:
    found = problems(replace(LOISON, sent_on=None, acknowledged_on=None))
    assert found == [Problem("executory_on", "executory_without_transmission")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"members_present": 30}, Problem("members_present", "more_present_than_in_office")),
        ({"members_represented": 10}, Problem("members_represented", "more_voters_than_in_office")),
        ({"members_present": 14}, Problem("members_present", "no_quorum")),  # 14 of 29: not a majority
        (
            {"members_present": 15, "members_represented": 10, "members_in_office": 30},
            Problem("members_present", "no_quorum"),
        ),
        (
            {"members_present": 10, "members_represented": 11, "members_in_office": 21},
            Problem("members_represented", "more_proxies_than_present"),
        ),
        ({"members_in_office": 0, "members_present": 0}, Problem("members_in_office", "no_members")),
    ],
)
def test_attendance_incoherences(changes: dict[str, object], expected: Problem) -> None:
    assert problems(replace(LOISON, **changes)) == [expected]  # type: ignore[arg-type]


def test_quorum_is_a_strict_majority_of_members_in_office() -> None:
    assert has_quorum(replace(LOISON, members_present=15))
    assert not has_quorum(replace(LOISON, members_in_office=30, members_present=15))


COUNTED = replace(LOISON, unanimous=False, votes_for=18, votes_against=1, abstentions=1)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"votes_for": 19, "votes_against": 1, "abstentions": 1}, Problem("votes_for", "more_votes_than_voters")),
        ({"votes_for": None}, Problem("votes_for", "votes_missing")),
        ({"votes_against": -1}, Problem("votes_for", "negative_votes")),
        ({"votes_for": 5, "votes_against": 5}, Problem("votes_for", "not_adopted")),
        ({"unanimous": True}, Problem("unanimous", "unanimous_with_dissent")),
    ],
)
def test_vote_incoherences(changes: dict[str, object], expected: Problem) -> None:
    assert problems(COUNTED) == []
    assert problems(replace(COUNTED, **changes)) == [expected]  # type: ignore[arg-type]


def test_proxies_count_as_voters() -> None:
    with_proxies = replace(COUNTED, members_represented=3, votes_for=21, votes_against=1, abstentions=1)
    assert problems(with_proxies) == []


def test_random_records_never_raise() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    days = st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2024, 12, 31)))
    counts = st.integers(-5, 60)

    @hypothesis.given(
        st.builds(
            DeliberationFacts,
            st.dates(date(2020, 1, 1), date(2024, 12, 31)),
            days,
            counts,
            counts,
            counts,
            st.booleans(),
            st.one_of(st.none(), counts),
            st.one_of(st.none(), counts),
            st.one_of(st.none(), counts),
            days,
            days,
            days,
            days,
        )
    )
    @hypothesis.settings(max_examples=300, deadline=None)
    def check(facts: DeliberationFacts) -> None:
        found = problems(facts)
        assert all(p.field and p.code for p in found)
        if not found and facts.executory_on is not None:  # a coherent executory record was sent and published
            assert facts.sent_on is not None and facts.published_on is not None
            assert facts.executory_on >= max(facts.sent_on, facts.published_on) >= facts.session_date

    check()
