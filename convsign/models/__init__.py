"""The data model, one module per aggregate; importing this package registers every table."""

from convsign.models.api import ApiToken, WebhookEndpoint
from convsign.models.audit import AuditEntry, AuditTimestamp
from convsign.models.clauses import (
    ConventionAction,
    ConventionArticle,
    ConventionClauses,
    ConventionModel,
    ModelArticle,
)
from convsign.models.convention import (
    Convention,
    ConventionKind,
    ConventionParty,
    ConventionStatus,
    Objective,
    ObjectiveDomain,
    Signatory,
    SlotState,
)
from convsign.models.delegation import Delegation
from convsign.models.deliberation import Deliberation, DeliberationCorrection
from convsign.models.document import DocumentRevision, RevisionKind
from convsign.models.mandate import Mandate, Office, OfficeKind
from convsign.models.organisation import Organisation, OrganisationKind
from convsign.models.outbox import OutboxKind, OutboxMessage
from convsign.models.signing_key import SigningKey
from convsign.models.token_signing import CertificateFingerprint, PreparedSignature, RevocationMaterial, TrustedRoot
from convsign.models.user import Role, User, UserRole

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditTimestamp",
    "CertificateFingerprint",
    "Convention",
    "ConventionAction",
    "ConventionArticle",
    "ConventionClauses",
    "ConventionKind",
    "ConventionModel",
    "ConventionParty",
    "ConventionStatus",
    "Delegation",
    "Deliberation",
    "DeliberationCorrection",
    "DocumentRevision",
    "Mandate",
    "ModelArticle",
    "Objective",
    "ObjectiveDomain",
    "Office",
    "OfficeKind",
    "Organisation",
    "OrganisationKind",
    "OutboxKind",
    "OutboxMessage",
    "PreparedSignature",
    "RevisionKind",
    "RevocationMaterial",
    "Role",
    "Signatory",
    "SigningKey",
    "SlotState",
    "TrustedRoot",
    "User",
    "UserRole",
    "WebhookEndpoint",
]
