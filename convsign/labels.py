"""French labels (translated through Babel) of the domain's enumerations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from convsign.models import OfficeKind, OrganisationKind, Role

ORGANISATION_KINDS = {
    OrganisationKind.COMMUNE: _l("Commune"),
    OrganisationKind.EPCI: _l("Intercommunalité (EPCI)"),
    OrganisationKind.CAF: _l("Caisse d'allocations familiales (CAF)"),
    OrganisationKind.DEPARTEMENT: _l("Département"),
    OrganisationKind.MSA: _l("Mutualité sociale agricole (MSA)"),
    OrganisationKind.OTHER: _l("Autre"),
}

ROLES = {
    Role.ADMIN: _l("Administrateur"),
    Role.COORDINATOR: _l("Coordinateur"),
    Role.SIGNATORY: _l("Signataire"),
}

OFFICE_KINDS = {
    OfficeKind.MAYOR: _l("Maire"),
    OfficeKind.DEPUTY_MAYOR: _l("Adjoint au maire"),
    OfficeKind.PRESIDENT: _l("Président"),
    OfficeKind.VICE_PRESIDENT: _l("Vice-président"),
    OfficeKind.DIRECTOR: _l("Directeur"),
    OfficeKind.OTHER: _l("Autre fonction"),
}
