"""The difference policy convsign validates with: pyHanko's default, without form filling.

pyHanko's default policy lets any form field be filled after a certification with DocMDP P=2
(`GenericFieldModificationRule`): a text field « montant » rewritten from "1 000 EUR" to
"1 000 000 EUR", or a check box ticked so that its appearance shows a new clause, was judged
"form filling" and the document stayed valid. convsign's documents carry no fields but
signature fields, so after a signature the only changes accepted are filling an empty signature
field, validation data (DSS) and document timestamps: the rule that allows changing any other
field is left out, and such a change is an unexplained modification.
"""

from __future__ import annotations

from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, StandardDiffPolicy
from pyhanko.sign.diff_analysis.form_rules_api import FormUpdatingRule
from pyhanko.sign.diff_analysis.rules.form_field_rules import SigFieldCreationRule, SigFieldModificationRule


def strict_policy(form_rule: FormUpdatingRule | None = None) -> StandardDiffPolicy:
    """pyHanko's default rules and settings, with only signature field rules for the form;
    `form_rule` replaces the form rule (it must hold the same field rules)."""
    base: StandardDiffPolicy = DEFAULT_DIFF_POLICY
    assert base.form_rule is not None  # pyHanko's default policy always has one
    return StandardDiffPolicy(
        global_rules=base.global_rules,
        form_rule=form_rule or strict_form_rule(),
        reject_object_freeing=base.reject_object_freeing,
        ignore_orphaned_objects=base.ignore_orphaned_objects,
        ignore_identical_objects=base.ignore_identical_objects,
    )


def strict_form_rule() -> FormUpdatingRule:
    """The form rule: signature fields may be created (invisible) and filled, nothing else."""
    base = DEFAULT_DIFF_POLICY.form_rule
    assert base is not None
    return FormUpdatingRule(
        field_rules=[SigFieldCreationRule(), SigFieldModificationRule()],  # type: ignore[no-untyped-call]
        ignored_acroform_keys=base.ignored_acroform_keys,
    )


STRICT_DIFF_POLICY = strict_policy()
