"""The data model, one module per aggregate; importing this package registers every table."""

from convsign.models.audit import AuditEntry
from convsign.models.mandate import Mandate, Office, OfficeKind
from convsign.models.organisation import Organisation, OrganisationKind
from convsign.models.user import Role, User, UserRole

__all__ = [
    "AuditEntry",
    "Mandate",
    "Office",
    "OfficeKind",
    "Organisation",
    "OrganisationKind",
    "Role",
    "User",
    "UserRole",
]
