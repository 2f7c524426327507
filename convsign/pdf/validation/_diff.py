"""Difference analysis shared by every signature of one document: each revision is compared
with its predecessor once.

pyHanko's `StandardDiffPolicy.review_file` compares a signature's revision with every later
revision, so validating n signatures costs about n²/2 comparisons. Here the comparison of
revision k with revision k-1 is made once and reused by every signature older than k: n
comparisons. Each step is checked with the DocMDP/FieldMDP rules of the signature under review,
as pyHanko's `StandardDiffPolicy.apply` does, from the form updates recorded once per step.

The one difference in method: a change is judged against the revision just before it (the
state its writer saw), where pyHanko judges it against the signed revision. Both accept only
form filling, signing and LTA updates; they could in principle disagree on a revision that
reworks something an intermediate revision added (judged against its predecessor, re-signing
an already signed field is refused; against an older revision where the field was still empty,
it may pass). The unit tests and the benchmark compare both on intact and tampered files.

The paths pyHanko needs in the older revision of each pair come from `_usages` instead of a
walk of the whole object graph; they are the same paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils.generic import Reference
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    DiffPolicy,
    DiffResult,
    ModificationLevel,
    StandardDiffPolicy,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis.form_rules_api import FormUpdate, FormUpdatingRule
from pyhanko.sign.fields import FieldMDPSpec, MDPPerm

from ._usages import EdgeIndex, LazyUsages
from ._walk import TreeIndex


@dataclass(frozen=True)
class _StepResult:
    """The comparison of one revision with its predecessor, before any MDP check."""

    outcome: DiffResult | SuspiciousModification
    form_updates: tuple[FormUpdate, ...]


class _RecordingFormRule(FormUpdatingRule):
    """pyHanko's form rule, keeping the form updates of the last comparison for later MDP checks."""

    def __init__(self, inner: FormUpdatingRule) -> None:
        super().__init__(inner.field_rules, inner.ignored_acroform_keys)
        self.recorded: list[FormUpdate] = []

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterator[tuple[ModificationLevel, FormUpdate]]:
        """Yield what pyHanko's rule yields, recording each form update."""
        self.recorded = []
        for level, update in super().apply(old, new):
            self.recorded.append(update)
            yield level, update


class SharedDiffPolicy(DiffPolicy):
    """A `DiffPolicy` for one reader that caches the step from each revision to the next."""

    def __init__(self, reader: PdfFileReader) -> None:
        base: StandardDiffPolicy = DEFAULT_DIFF_POLICY
        assert base.form_rule is not None  # pyHanko's default policy always has one
        self._reader = reader
        self._form_rule = _RecordingFormRule(base.form_rule)
        # The same rules and settings as pyHanko's default; only the form rule records.
        self._policy = StandardDiffPolicy(
            global_rules=base.global_rules,
            form_rule=self._form_rule,
            reject_object_freeing=base.reject_object_freeing,
            ignore_orphaned_objects=base.ignore_orphaned_objects,
            ignore_identical_objects=base.ignore_identical_objects,
        )
        self._steps: dict[int, _StepResult] = {}
        self._edges = EdgeIndex(reader)
        self._trees = TreeIndex(reader)
        self._interest: set[Reference] = set()

    def step(self, revision: int) -> _StepResult:
        """Compare `revision` with `revision - 1`, without MDP constraints (cached)."""
        cached = self._steps.get(revision)
        if cached is None:
            cached = self._compare(revision)
            self._steps[revision] = cached
        return cached

    def _compare(self, revision: int) -> _StepResult:
        old = self._reader.get_historical_resolver(revision - 1)
        new = self._reader.get_historical_resolver(revision)
        if old._indirect_object_access_cache is None:
            # pyHanko then skips its whole-graph walk and asks only for the paths it needs,
            # first for every object the newer revision writes: one walk answers them all.
            written = new.explicit_refs_in_revision()  # type: ignore[no-untyped-call]
            old._indirect_object_access_cache = LazyUsages(old, self._edges, self._trees, self._interest, written)
        outcome: DiffResult | SuspiciousModification
        try:
            outcome = self._policy.apply(old, new)
        except SuspiciousModification as exc:
            outcome = exc
        return _StepResult(outcome, tuple(self._form_rule.recorded))

    def review_file(
        self,
        reader: PdfFileReader,
        base_revision: int | HistoricalResolver,
        field_mdp_spec: FieldMDPSpec | None = None,
        doc_mdp: MDPPerm | None = None,
    ) -> DiffResult | SuspiciousModification:
        """Combine the cached steps after `base_revision` under this signature's MDP rules."""
        if reader is not self._reader:
            raise ValueError("SharedDiffPolicy used with another reader")
        start = base_revision if isinstance(base_revision, int) else base_revision.revision
        level = ModificationLevel.NONE
        changed: set[str] = set()
        for revision in range(start + 1, reader.xrefs.total_revisions):
            step = self.step(revision)
            if isinstance(step.outcome, SuspiciousModification):
                return step.outcome
            refused = _mdp_violation(step.form_updates, field_mdp_spec, doc_mdp)
            if refused is not None:
                return refused
            level = max(level, step.outcome.modification_level)
            changed |= step.outcome.changed_form_fields
        return DiffResult(level, changed)

    def apply(self, *args: Any, **kwargs: Any) -> DiffResult:
        """Not used: this policy only reviews whole files."""
        raise NotImplementedError("SharedDiffPolicy only implements review_file")


def _mdp_violation(
    updates: Iterable[FormUpdate], field_mdp: FieldMDPSpec | None, doc_mdp: MDPPerm | None
) -> SuspiciousModification | None:
    """The two checks pyHanko's `StandardDiffPolicy.apply` makes with the signature's MDP rules."""
    for update in updates:
        name = update.field_name
        locked = field_mdp is not None and name is not None and field_mdp.is_locked(name)
        if locked and not update.valid_when_locked:
            return SuspiciousModification(f"update of locked field {name}")
        if doc_mdp is not None and not update.valid_when_certifying:
            return SuspiciousModification(f"{update.updated_ref} not allowed after certification")
    return None
