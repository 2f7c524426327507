"""Coherence of a council deliberation: dates in order, votes that add up, the quorum.

Pure functions over a frozen dataclass; each problem names the form field at fault and a stable
code, and the web layer turns codes into French sentences. The rules follow the Code général des
collectivités territoriales: a council deliberates validly when the majority of its members in
office are present (L2121-17); a member present may hold one proxy only (L2121-20); an act is
executory once transmitted to the prefecture and published (L2131-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class DeliberationFacts:
    """What a deliberation record states; counts of votes are None when the vote was unanimous."""

    session_date: date
    convocation_date: date | None
    members_in_office: int
    members_present: int
    members_represented: int
    unanimous: bool
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    sent_on: date | None = None
    acknowledged_on: date | None = None
    published_on: date | None = None
    executory_on: date | None = None

    @property
    def voting_members(self) -> int:
        """Members who may vote: those present and those represented by a proxy."""
        return self.members_present + self.members_represented


@dataclass(frozen=True)
class Problem:
    """One incoherence: the field at fault and a stable code."""

    field: str
    code: str


def problems(facts: DeliberationFacts) -> list[Problem]:
    """Every incoherence of the record, dates first, then attendance, then votes."""
    return [*date_problems(facts), *attendance_problems(facts), *vote_problems(facts)]


def date_problems(facts: DeliberationFacts) -> list[Problem]:
    """Convocation ≤ session ≤ sent ≤ acknowledgement; publication after the session; executory last."""
    found = []
    if facts.convocation_date is not None and facts.convocation_date > facts.session_date:
        found.append(Problem("convocation_date", "convocation_after_session"))
    if facts.sent_on is not None and facts.sent_on < facts.session_date:
        found.append(Problem("sent_on", "sent_before_session"))
    found += _acknowledgement_problems(facts)
    if facts.published_on is not None and facts.published_on < facts.session_date:
        found.append(Problem("published_on", "published_before_session"))
    return found + _executory_problems(facts)


def _acknowledgement_problems(facts: DeliberationFacts) -> list[Problem]:
    if facts.acknowledged_on is None:
        return []
    if facts.sent_on is None:
        return [Problem("acknowledged_on", "acknowledged_without_transmission")]
    if facts.acknowledged_on < facts.sent_on:
        return [Problem("acknowledged_on", "acknowledged_before_sent")]
    return []


def _executory_problems(facts: DeliberationFacts) -> list[Problem]:
    executory = facts.executory_on
    if executory is None:
        return []
    if facts.sent_on is None:
        return [Problem("executory_on", "executory_without_transmission")]
    if facts.published_on is None:
        return [Problem("executory_on", "executory_without_publication")]
    if executory < facts.sent_on:
        return [Problem("executory_on", "executory_before_transmission")]
    if executory < facts.published_on:
        return [Problem("executory_on", "executory_before_publication")]
    return []


def attendance_problems(facts: DeliberationFacts) -> list[Problem]:
    """Counts within the council, one proxy per member present, and the quorum."""
    if facts.members_in_office < 1:
        return [Problem("members_in_office", "no_members")]
    if facts.members_present > facts.members_in_office:
        return [Problem("members_present", "more_present_than_in_office")]
    if facts.voting_members > facts.members_in_office:
        return [Problem("members_represented", "more_voters_than_in_office")]
    if facts.members_represented > facts.members_present:
        return [Problem("members_represented", "more_proxies_than_present")]
    if not has_quorum(facts):
        return [Problem("members_present", "no_quorum")]
    return []


def has_quorum(facts: DeliberationFacts) -> bool:
    """Whether the majority of the members in office were present (proxies do not count)."""
    return facts.members_present * 2 > facts.members_in_office


def vote_problems(facts: DeliberationFacts) -> list[Problem]:
    """A unanimous vote has no count against; otherwise the counts are given and add up."""
    if facts.unanimous:
        if facts.votes_against or facts.abstentions:
            return [Problem("unanimous", "unanimous_with_dissent")]
        return []
    counts = (facts.votes_for, facts.votes_against, facts.abstentions)
    if counts[0] is None:
        return [Problem("votes_for", "votes_missing")]
    if any(c is not None and c < 0 for c in counts):
        return [Problem("votes_for", "negative_votes")]
    if sum(c or 0 for c in counts) > facts.voting_members:
        return [Problem("votes_for", "more_votes_than_voters")]
    if counts[0] <= (counts[1] or 0):
        return [Problem("votes_for", "not_adopted")]
    return []


class HasExecutoryDate(Protocol):
    """A deliberation's facts or its record: anything that says when it became executory."""

    @property
    def executory_on(self) -> date | None: ...


def is_executory(facts: HasExecutoryDate, today: date) -> bool:
    """Whether the deliberation has become executory by `today`."""
    return facts.executory_on is not None and facts.executory_on <= today
