"""Audit entries in words: their action and their actor's capacity, in the reader's language."""

from __future__ import annotations

from convsign import labels


def action_label(action: str) -> str:
    """The action in words; an action without a label shows its code rather than nothing."""
    label = labels.AUDIT_ACTIONS.get(action)
    return str(label) if label is not None else action


def role_label(stored: str | None) -> str | None:
    """'admin,coordinator' → 'Administrateur, Coordinateur'; a capacity such as 'signataire' as is."""
    if not stored:
        return None
    known = {role.value: str(label) for role, label in labels.ROLES.items()}
    return ", ".join(known.get(part, part) for part in stored.split(","))
