"""Administration rules: organisations, accounts and mandates, each change audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign.admin.delegations import after_mandate_saved
from convsign.audit.services import record
from convsign.auth.passwords import hash_password
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import ApiToken, Mandate, Office, OfficeKind, Organisation, OrganisationKind, Role, User
from convsign.models.types import utcnow
from convsign.rules.identifiers import InvalidIdentifier, normalise_insee, normalise_siren


@dataclass(frozen=True)
class OrganisationData:
    """What an organisation form or import row carries."""

    kind: OrganisationKind
    name: str
    siren: str
    insee_code: str | None = None
    population: int | None = None
    parent_id: int | None = None


def checked_siren(value: str) -> str:
    """The normalised SIREN, or ValidationFailed on the `siren` field."""
    try:
        return normalise_siren(value)
    except InvalidIdentifier as error:
        if error.reason == "checksum":
            raise ValidationFailed(_("Ce SIREN est incorrect : sa clé de contrôle ne correspond pas."),
                                   "siren") from error
        raise ValidationFailed(_("Un SIREN compte exactement 9 chiffres."), "siren") from error


def checked_insee(value: str | None, kind: OrganisationKind) -> str | None:
    """The normalised INSEE code (required for a commune), or ValidationFailed."""
    if not value:
        if kind == OrganisationKind.COMMUNE:
            raise ValidationFailed(_("Le code INSEE est obligatoire pour une commune."), "insee_code")
        return None
    try:
        return normalise_insee(value)
    except InvalidIdentifier as error:
        raise ValidationFailed(
            _("Ce code INSEE n'a pas la forme d'un code de commune (5 caractères, par exemple 62523)."),
            "insee_code") from error


def _check_unique(org: Organisation | None, siren: str, insee: str | None) -> None:
    others = sa.select(Organisation).where(Organisation.id != (org.id if org else -1))
    if db.session.scalar(others.where(Organisation.siren == siren)):
        raise ValidationFailed(_("Une organisation porte déjà ce SIREN."), "siren")
    if insee and db.session.scalar(others.where(Organisation.insee_code == insee)):
        raise ValidationFailed(_("Une commune porte déjà ce code INSEE."), "insee_code")


def _check_parent(parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = db.session.get(Organisation, parent_id)
    if parent is None or parent.kind != OrganisationKind.EPCI:
        raise ValidationFailed(_("L'organisation de rattachement doit être une intercommunalité."), "parent_id")


def save_organisation(data: OrganisationData, actor: User | None, org: Organisation | None = None) -> Organisation:
    """Create (`org` None) or update an organisation after checking its identifiers."""
    siren = checked_siren(data.siren)
    insee = checked_insee(data.insee_code, data.kind)
    _check_unique(org, siren, insee)
    _check_parent(data.parent_id)
    creating = org is None
    if org is None:
        org = Organisation()
        db.session.add(org)
    if org.siren != siren:
        org.siren_verified = False
    org.kind, org.name, org.siren, org.insee_code = data.kind, data.name.strip(), siren, insee
    org.population, org.parent_id = data.population, data.parent_id
    db.session.flush()
    record("organisation_created" if creating else "organisation_updated", actor=actor,
           organisation=org.id, siren=siren, name=org.name)
    return org


def set_organisation_active(org: Organisation, active: bool, actor: User | None) -> None:
    """Deactivate or reactivate an organisation (never deleted)."""
    org.active = active
    record("organisation_reactivated" if active else "organisation_deactivated", actor=actor, organisation=org.id)


def epcis() -> list[Organisation]:
    """The intercommunalities, by name."""
    return list(db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrganisationKind.EPCI).order_by(Organisation.name)))


@dataclass(frozen=True)
class UserData:
    """What a user form carries."""

    name: str
    email: str
    roles: frozenset[Role]
    organisation_id: int | None
    preferred_language: str = "fr"


def _check_email_free(email: str, user: User | None) -> str:
    normalised = email.strip().lower()
    existing = db.session.scalar(sa.select(User).where(User.email == normalised))
    if existing is not None and existing is not user:
        raise ValidationFailed(_("Un compte utilise déjà cette adresse électronique."), "email")
    return normalised


def save_user(data: UserData, actor: User | None, user: User | None = None) -> User:
    """Create (`user` None: an invitation follows) or update an account."""
    email = _check_email_free(data.email, user)
    creating = user is None
    if user is None:
        user = User(password_hash=None)
        db.session.add(user)
    user.name, user.email = data.name.strip(), email
    user.organisation_id, user.preferred_language = data.organisation_id, data.preferred_language
    user.set_roles(set(data.roles))
    db.session.flush()
    record("user_invited" if creating else "user_updated", actor=actor, user=user.id,
           roles=sorted(r.value for r in data.roles))
    return user


def set_user_active(user: User, active: bool, actor: User | None) -> None:
    """Deactivate (never delete: they may have acted) or reactivate an account."""
    if actor is not None and user.id == actor.id and not active:
        raise ValidationFailed(_("Vous ne pouvez pas désactiver votre propre compte."))
    user.active = active
    if active:
        record("user_reactivated", actor=actor, user=user.id)
        return
    # Their open sessions and API tokens end now, and do not come back on reactivation.
    user.end_sessions()
    revoked = revoke_all_tokens(user, utcnow())
    record("user_deactivated", actor=actor, user=user.id, api_tokens_revoked=revoked)


def revoke_all_tokens(user: User, now: datetime) -> int:
    """Revoke every API token of `user` still usable (their account is deactivated); how many were."""
    live = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in live:
        token.revoked_at = now
    return len(live)


def create_admin(name: str, email: str, password: str) -> User:
    """The first administrator of an instance, with a password typed at the console."""
    user = save_user(UserData(name, email, frozenset({Role.ADMIN}), None), actor=None)
    user.password_hash = hash_password(password)
    return user


@dataclass(frozen=True)
class MandateData:
    """What a mandate form carries."""

    organisation_id: int
    office_kind: OfficeKind
    office_title: str
    user_id: int
    start_date: date
    end_date: date | None


def find_or_create_office(organisation_id: int, kind: OfficeKind, title: str) -> Office:
    """The office of this title in the organisation, created if new."""
    office = db.session.scalar(
        sa.select(Office).where(Office.organisation_id == organisation_id, Office.title == title.strip()))
    if office is None:
        office = Office(organisation_id=organisation_id, kind=kind, title=title.strip())
        db.session.add(office)
        db.session.flush()
    return office


def _check_no_overlap(office: Office, data: MandateData, mandate: Mandate | None) -> None:
    far = date.max
    for other in office.mandates:
        if other is mandate:
            continue
        if data.start_date <= (other.end_date or far) and other.start_date <= (data.end_date or far):
            raise ValidationFailed(
                _("Cette fonction a déjà un titulaire sur cette période : terminez d'abord son mandat."),
                "start_date")


def save_mandate(data: MandateData, actor: User | None, mandate: Mandate | None = None) -> Mandate:
    """Record that a person holds an office from a date (until an end date, if known)."""
    if data.end_date is not None and data.end_date < data.start_date:
        raise ValidationFailed(_("La fin du mandat doit suivre son début."), "end_date")
    office = find_or_create_office(data.organisation_id, data.office_kind, data.office_title)
    _check_no_overlap(office, data, mandate)
    creating = mandate is None
    if mandate is None:
        mandate = Mandate()
        db.session.add(mandate)
    mandate.office, mandate.user_id = office, data.user_id
    mandate.start_date, mandate.end_date = data.start_date, data.end_date
    db.session.flush()
    record("mandate_created" if creating else "mandate_updated", actor=actor, mandate=mandate.id,
           office=office.title, user=data.user_id)
    after_mandate_saved(mandate, actor)  # the outgoing holder's certificates are revoked
    return mandate
