"""Difference analysis shared by every signature of one document: each revision is compared
with its predecessor once.

pyHanko's `StandardDiffPolicy.review_file` compares a signature's revision with every later
revision, so validating n signatures costs about n²/2 comparisons. Here the comparison of
revision k with revision k-1 is made once and reused by every signature older than k: n
comparisons. Each step is checked with the DocMDP/FieldMDP rules of the signature under review,
as pyHanko's `StandardDiffPolicy.apply` does, from the form updates recorded once per step.

The one difference in method: a change is judged against the revision just before it (the
state its writer saw), where pyHanko judges it against the signed revision. The two can
disagree when a later revision rewrites an object whose state or place in the document changed
after the signed revision (an update makes an object reachable from a new field, a later one
rewrites that object in place: judged against its predecessor, the rewrite looks like a field's
appearance; against the signed revision, it rewrites page content). So for each signature and
each later revision, the objects the revision rewrites are checked: when one existed in the
signed revision and either was written again since, or may be reached by other paths than in
the signed revision (`_reach`), that revision is also compared with the signed revision exactly as pyHanko
does, and the worse of both results counts. The document-level objects every signature
rewrites (catalogue, /Info, XMP metadata, AcroForm, DSS) are judged by rules that compare
only which keys changed, the same whatever the base revision, and are left out of this check.
The verdict is therefore never more lenient than pyHanko's (a property test composes random
updates to check it); it may be stricter.

The paths pyHanko needs in the older revision of each pair come from `_usages` instead of a
walk of the whole object graph; they are the same paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils.generic import IndirectObject, Reference
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import (
    DiffPolicy,
    DiffResult,
    ModificationLevel,
    StandardDiffPolicy,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis.form_rules_api import FormUpdate, FormUpdatingRule
from pyhanko.sign.fields import FieldMDPSpec, MDPPerm

from ._policy import strict_form_rule, strict_policy
from ._reach import ReachChanges
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
        self._reader = reader
        self._form_rule = _RecordingFormRule(strict_form_rule())
        # The same rules and settings as the plain loop's; only the form rule records.
        self._policy: StandardDiffPolicy = strict_policy(self._form_rule)
        self._steps: dict[int, _StepResult] = {}
        self._exact: dict[tuple[int, int, Any, Any], DiffResult | SuspiciousModification] = {}
        self._writes: dict[Reference, list[int]] | None = None
        self._reach = ReachChanges(reader, self._write_index())
        self._documents: dict[int, set[Reference]] = {}
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
        # The reference index stands at `revision - 1` now (or gets there in one step).
        self._reach.record_ancestors(revision, self._edges.at(revision - 1), self._trees.trees(old))
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
            if revision > start + 1 and self._diverges(start, revision):
                exact = self._exactly(start, revision, field_mdp_spec, doc_mdp)
                if isinstance(exact, SuspiciousModification):
                    return exact
                level = max(level, exact.modification_level)
                changed |= exact.changed_form_fields
        return DiffResult(level, changed)

    def _exactly(
        self, base: int, revision: int, field_mdp: FieldMDPSpec | None, doc_mdp: MDPPerm | None
    ) -> DiffResult | SuspiciousModification:
        """pyHanko's own comparison of `revision` with the signed revision `base` (cached)."""
        key = (base, revision, field_mdp, doc_mdp)
        found = self._exact.get(key)
        if found is None:
            old = self._reader.get_historical_resolver(base)
            new = self._reader.get_historical_resolver(revision)
            try:
                found = self._policy.apply(old, new, field_mdp, doc_mdp)
            except SuspiciousModification as exc:
                found = exc
            self._exact[key] = found
        return found

    def _diverges(self, base: int, revision: int) -> bool:
        """Whether judging `revision` against its predecessor may differ from judging it against
        the signed revision `base`: it rewrites an object that existed in `base` and was written
        again since, or is reached otherwise than in `base`."""
        xrefs = self._reader.xrefs
        written = xrefs.explicit_refs_in_revision(revision) | xrefs.refs_freed_in_revision(revision)
        old = self._reader.get_historical_resolver(base)
        prev = self._reader.get_historical_resolver(revision - 1)
        candidates = written - self._document_objects(old) - self._document_objects(prev)
        writes = self._write_index()
        for ref in candidates:
            if xrefs.get_historical_ref(ref, base) is None:
                continue  # created after the signed revision: judged alike both ways
            if any(base < rev < revision for rev in writes.get(ref, ())):
                return True
            if not self._reach.same_paths(ref, base, revision - 1):
                return True
        return False

    def _document_objects(self, hist: HistoricalResolver) -> set[Reference]:
        found = self._documents.get(hist.revision)
        if found is None:
            found = self._documents[hist.revision] = _document_objects(hist)
        return found

    def _write_index(self) -> dict[Reference, list[int]]:
        """Every revision that writes or frees each object."""
        if self._writes is None:
            xrefs = self._reader.xrefs
            self._writes = {}
            for rev in range(xrefs.total_revisions):
                for ref in xrefs.explicit_refs_in_revision(rev) | xrefs.refs_freed_in_revision(rev):
                    self._writes.setdefault(ref, []).append(rev)
        return self._writes

    def apply(self, *args: Any, **kwargs: Any) -> DiffResult:
        """Not used: this policy only reviews whole files."""
        raise NotImplementedError("SharedDiffPolicy only implements review_file")


def _document_objects(hist: HistoricalResolver) -> set[Reference]:
    """The catalogue, /Info, the XMP metadata, the AcroForm and the DSS of a revision."""
    found = {hist.root_ref}
    candidates = [hist.trailer_view.raw_get("/Info") if "/Info" in hist.trailer_view else None]
    candidates += [hist.root.raw_get(key) for key in ("/Metadata", "/AcroForm", "/DSS") if key in hist.root]
    found |= {obj.reference for obj in candidates if isinstance(obj, IndirectObject)}
    return found


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
