"""Audit entries in words: their action and their actor's capacity, in the reader's language."""

from __future__ import annotations

import json

from flask_babel import gettext as _

from convsign import labels


def action_label(action: str) -> str:
    """The action in words; an action without a label shows its code rather than nothing."""
    label = labels.AUDIT_ACTIONS.get(action)
    return str(label) if label is not None else action


def entry_label(action: str, details: str | None) -> str:
    """The action in words, and for a signature made with one's own certificate (card or USB key),
    how its revocation was checked: "révocation non vérifiée" when no CRL or OCSP answered."""
    label = action_label(action)
    try:
        recorded = json.loads(details) if details else {}
    except ValueError:
        return label
    if not isinstance(recorded, dict) or "revocation" not in recorded:
        return label
    if recorded["revocation"] == "révocation non vérifiée":
        return label + " " + str(_("(certificat personnel, révocation non vérifiée)"))
    return label + " " + str(_("(certificat personnel, révocation vérifiée)"))


def role_label(stored: str | None) -> str | None:
    """'admin,coordinator' → 'Administrateur, Coordinateur'; a capacity such as 'signataire' as is."""
    if not stored:
        return None
    known = {role.value: str(label) for role, label in labels.ROLES.items()}
    return ", ".join(known.get(part, part) for part in stored.split(","))
