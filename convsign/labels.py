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

# Every action recorded in the audit trail (`record("…")`); tests/web/test_audit.py checks that
# each action the code base records has its label here. An unknown action shows its code.
AUDIT_ACTIONS = {
    "login": _l("connexion"),
    "login_failed": _l("échec de connexion"),
    "password_set": _l("mot de passe choisi"),
    "password_reset_requested": _l("réinitialisation du mot de passe demandée"),
    "sessions_ended": _l("sessions fermées"),
    "organisation_created": _l("organisation créée"),
    "organisation_updated": _l("organisation modifiée"),
    "organisation_reactivated": _l("organisation réactivée"),
    "organisation_deactivated": _l("organisation désactivée"),
    "user_invited": _l("personne invitée"),
    "user_updated": _l("compte modifié"),
    "user_reactivated": _l("compte réactivé"),
    "user_deactivated": _l("compte désactivé"),
    "mandate_created": _l("mandat enregistré"),
    "mandate_updated": _l("mandat modifié"),
    "convention_created": _l("convention créée"),
    "convention_updated": _l("convention modifiée"),
    "convention_text_uploaded": _l("texte de la CAF importé"),
    "convention_opened": _l("convention ouverte à la signature"),
    "convention_cancelled": _l("convention annulée"),
    "convention_new_version": _l("nouvelle version de la convention"),
    "convention_clauses_saved": _l("clauses de la convention enregistrées"),
    "convention_clauses_reset": _l("clauses de la convention reprises du modèle par défaut"),
    "convention_model_saved": _l("modèle de convention par défaut enregistré (nouvelle version)"),
    "convention_completed": _l("convention signée par tous : horodatage d'archivage"),
    "signature_created": _l("signature apposée"),
    "signing_key_created": _l("clé de signature créée"),
    "signing_passphrase_wrong": _l("phrase secrète de signature erronée"),
    "signing_passphrase_changed": _l("phrase secrète de signature changée"),
    "signing_key_revoked": _l("clé de signature révoquée"),
    "trusted_root_added": _l("autorité racine de confiance ajoutée"),
    "trusted_root_removed": _l("autorité racine de confiance retirée"),
    "certificate_fingerprint_registered": _l("certificat personnel enregistré"),
    "signature_refused": _l("signature refusée (refus motivé)"),
    "signatory_reminded": _l("signataire relancé"),
    "slot_reassigned": _l("signataire réattribué"),
    "deadline_extended": _l("date limite prolongée"),
    "convention_expired": _l("convention expirée"),
    "convention_closed_with_refusals": _l("convention close avec les signatures obtenues"),
    "mandate_ended": _l("fin de mandat enregistrée"),
    "delegation_created": _l("délégation de signature donnée"),
    "delegation_ended": _l("délégation de signature terminée"),
    "deliberation_recorded": _l("délibération enregistrée"),
    "deliberation_updated": _l("délibération modifiée"),
    "deliberation_pdf_attached": _l("délibération (PDF) jointe"),
    "deliberation_waived": _l("délibération non exigée (dispense)"),
    "deliberation_required": _l("délibération exigée de nouveau"),
    "deliberation_confirmed": _l("délibération confirmée"),
    "deliberation_corrected": _l("délibération corrigée après signature (nouvel enregistrement)"),
    "deliberation_rule_changed": _l("règle des délibérations changée"),
    "api_token_created": _l("jeton d'accès à l'API créé"),
    "api_token_revoked": _l("jeton d'accès à l'API révoqué"),
    "webhook_endpoint_created": _l("adresse de notification (webhook) enregistrée"),
    "webhook_endpoint_enabled": _l("adresse de notification (webhook) activée"),
    "webhook_endpoint_disabled": _l("adresse de notification (webhook) désactivée"),
}
