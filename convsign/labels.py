"""French labels (translated through Babel) of the domain's enumerations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from convsign.models import (
    ConventionKind,
    ConventionStatus,
    ObjectiveDomain,
    OfficeKind,
    OrganisationKind,
    RevisionKind,
    Role,
)

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

CONVENTION_KINDS = {
    ConventionKind.CTG: _l("Convention Territoriale Globale"),
    ConventionKind.OTHER: _l("Convention de partenariat"),
}

CONVENTION_STATUSES = {
    ConventionStatus.DRAFT: _l("brouillon"),
    ConventionStatus.CIRCULATING: _l("en circulation"),
    ConventionStatus.SIGNED: _l("signée"),
    ConventionStatus.CANCELLED: _l("annulée"),
    ConventionStatus.EXPIRED: _l("expirée"),
}

OBJECTIVE_DOMAINS = {
    ObjectiveDomain.EARLY_CHILDHOOD: _l("Petite enfance"),
    ObjectiveDomain.CHILDHOOD: _l("Enfance"),
    ObjectiveDomain.YOUTH: _l("Jeunesse"),
    ObjectiveDomain.PARENTING: _l("Parentalité"),
    ObjectiveDomain.SOCIAL_LIFE: _l("Animation de la vie sociale"),
    ObjectiveDomain.ACCESS_TO_RIGHTS: _l("Accès aux droits"),
    ObjectiveDomain.HOUSING: _l("Logement"),
    ObjectiveDomain.DISABILITY: _l("Handicap"),
    ObjectiveDomain.DIGITAL_INCLUSION: _l("Inclusion numérique"),
}

SLOT_STATUSES = {
    "en_attente": _l("en attente"),
    "a_signer": _l("à signer"),
    "bloque": _l("bloqué"),
    "signe": _l("signé"),
    "refuse": _l("refusé"),
}

STAGE_LABELS = {
    1: _l("Étape 1 : les communes"),
    2: _l("Étape 2 : l'intercommunalité"),
    3: _l("Étape 3 : la CAF"),
}

REVISION_KINDS = {
    RevisionKind.PREPARED: _l("préparée pour signature"),
    RevisionKind.SIGNATURE: _l("signature"),
    RevisionKind.COMPLETION: _l("finalisation (horodatage d'archivage)"),
}
