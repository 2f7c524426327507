"""The dashboard's filter form: a GET form (no JavaScript, shareable address, no CSRF token needed)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from convsign.dashboard.services import DEFAULT_SORT, Filters
from convsign.formtools import choices
from convsign.labels import CONVENTION_STATUSES
from convsign.models import ConventionStatus, Organisation

SORTS = {
    "ouverture_desc": _l("Date d'ouverture, la plus récente d'abord"),
    "ouverture": _l("Date d'ouverture, la plus ancienne d'abord"),
    "echeance": _l("Date limite, la plus proche d'abord"),
    "avancement": _l("Avancement, le moins avancé d'abord"),
    "avancement_desc": _l("Avancement, le plus avancé d'abord"),
    "titre": _l("Titre, de A à Z"),
}


class FilterForm(FlaskForm):
    """État, intercommunalité, bloqués seulement, tri."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    etat = SelectField(_l("État"), default="")
    epci = SelectField(_l("Intercommunalité"), default="")
    bloques = BooleanField(_l("Bloqués seulement"))
    tri = SelectField(_l("Trier par"), default=DEFAULT_SORT, choices=choices(SORTS.items()))

    def set_choices(self, epcis: list[Organisation]) -> None:
        """The states, and the intercommunalities the person may follow."""
        self.etat.choices = choices([("", _l("Tous")), *((s.value, CONVENTION_STATUSES[s]) for s in ConventionStatus)])
        self.epci.choices = choices([("", _l("Toutes")), *((org.id, org.name) for org in epcis)])

    def filters(self, page: int) -> Filters:
        """The filters asked for; a value not offered (a hand-edited address) is ignored."""
        status, epci, sort = _chosen(self.etat), _chosen(self.epci), _chosen(self.tri)
        return Filters(
            status=ConventionStatus(status) if status else None,
            epci_id=int(epci) if epci else None,
            blocked_only=bool(self.bloques.data),
            sort=sort or DEFAULT_SORT,
            page=page,
        )


def _chosen(field: SelectField) -> str | None:
    """The field's value if it is one of its non-empty choices, else None."""
    offered = {choice.value for choice in field.choices or ()}
    return field.data if field.data and str(field.data) in offered else None
