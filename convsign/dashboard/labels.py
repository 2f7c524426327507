"""French labels of what a convention's timeline shows besides the action itself.

The actions' labels are the audit page's (`convsign.labels.AUDIT_ACTIONS`), reused rather than
duplicated, as are its actors' roles (`convsign.audit.labels.role_label`); this module adds the
recorded particulars the timeline shows.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from convsign.labels import AUDIT_ACTIONS

# Particulars recorded with an action (its `details`) that the timeline shows, in this order.
DETAILS = {
    "reason": _l("Motif"),
    "title": _l("Titre"),
    "signatories": _l("Signataires"),
    "pages": _l("Pages"),
    "replaces": _l("Remplace la convention n°"),
    "deadline": _l("Date limite"),
}


def action_label(action: str) -> str:
    """The French label of an audit action, capitalised for a heading; the action itself when unknown."""
    label = AUDIT_ACTIONS.get(action)
    text = str(label) if label is not None else action
    return text[:1].upper() + text[1:]
