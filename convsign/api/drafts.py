"""A convention draft from JSON: organisations by id or SIREN, signatories by office or by e-mail.

The choices the draft form offers are enforced here the same way: a coordinator leads for their
own intercommunality only, and a commune may be a party only of its own intercommunality's
conventions. Everything else is checked by convsign.conventions.services.save_draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from convsign.api import contract, inputs
from convsign.api.openapi_schemas import ORG_REF
from convsign.conventions.services import DEFAULT_STAGE, ConventionData, ObjectiveData, SignatoryData
from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import (
    ConventionKind,
    Mandate,
    ObjectiveDomain,
    Office,
    Organisation,
    OrganisationKind,
    Role,
    User,
)


@dataclass(frozen=True)
class PartyChoice:
    """A party and, when given, whether it must deliberate (a waiver needs its reason)."""

    organisation_id: int
    deliberation_required: bool | None
    waiver_reason: str


def organisation(ref: dict[str, Any], field: str) -> Organisation:
    """The active organisation named by `organisation_id` or `siren`."""
    org_id, siren = ref.get("organisation_id"), ref.get("siren")
    if org_id is not None:
        inputs.integer(ref, "organisation_id", minimum=1)
    if siren is not None and not isinstance(siren, str):
        raise ValidationFailed(_("« %(name)s » : texte attendu.", name="siren"), field)
    found = None
    if isinstance(org_id, int) and not isinstance(org_id, bool):
        found = db.session.get(Organisation, org_id)
    elif isinstance(siren, str):
        found = db.session.scalar(sa.select(Organisation).where(Organisation.siren == siren.replace(" ", "")))
    if found is None or not found.active:
        raise ValidationFailed(_("Organisation inconnue : donnez son « organisation_id » ou son « siren »."), field)
    return found


def lead(data: dict[str, Any], user: User) -> Organisation:
    """The leading intercommunality: the caller's own, unless an administrator names another."""
    if "lead" in data:
        if not isinstance(data["lead"], dict):
            raise ValidationFailed(_("« lead » : objet attendu."), "lead")
        contract.refuse_unknown(data["lead"], contract.closed_properties(ORG_REF), "lead")
        org = organisation(data["lead"], "lead")
    elif user.organisation is not None:
        org = user.organisation
    else:
        raise ValidationFailed(_("Indiquez l'intercommunalité qui porte la convention (« lead »)."), "lead")
    if org.kind != OrganisationKind.EPCI:
        raise ValidationFailed(_("La convention est portée par une intercommunalité."), "lead")
    if not user.has_role(Role.ADMIN) and org.id != user.organisation_id:
        raise ValidationFailed(_("Vous ne pouvez préparer que les conventions de votre propre organisation."), "lead")
    return org


def parties(data: dict[str, Any], lead_org: Organisation) -> list[PartyChoice]:
    """The parties, the lead first if it was not listed."""
    found: dict[int, PartyChoice] = {}
    for index, item in enumerate(inputs.items(data, "parties")):
        field = f"parties[{index}]"
        contract.refuse_unknown(item, contract.item_properties("ConventionInput", "parties"), field)
        org = organisation(item, field)
        if org.kind == OrganisationKind.COMMUNE and org.parent_id != lead_org.id:
            raise ValidationFailed(
                _(
                    "La commune « %(name)s » n'appartient pas à l'intercommunalité qui porte la convention.",
                    name=org.name,
                ),
                field,
            )
        found[org.id] = PartyChoice(
            org.id, inputs.boolean(item, "deliberation_required"), inputs.text(item, "waiver_reason", required=False)
        )
    if lead_org.id not in found:
        found = {lead_org.id: PartyChoice(lead_org.id, None, ""), **found}
    return list(found.values())


def objectives(data: dict[str, Any]) -> tuple[ObjectiveData, ...]:
    """`{"jeunesse": ["…", "…"], "logement": ["…"]}`: objectives by domain, in the order given."""
    value = data.get("objectives", {})
    if not isinstance(value, dict):
        raise ValidationFailed(_("« objectives » : objet attendu (domaine → liste de textes)."), "objectives")
    result = []
    for domain, texts in value.items():
        if domain not in {d.value for d in ObjectiveDomain}:
            raise ValidationFailed(_("Domaine d'objectif inconnu : %(d)s.", d=domain), "objectives")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ValidationFailed(_("« objectives » : liste de textes attendue par domaine."), "objectives")
        result += [ObjectiveData(ObjectiveDomain(domain), t) for t in texts]
    return tuple(result)


def signatory(item: dict[str, Any], field: str, party_ids: set[int], today: date) -> SignatoryData:
    """One slot: `office_id`, or `user_email` (the office that person holds today for a party)."""
    contract.refuse_unknown(item, contract.item_properties("ConventionInput", "signatories"), field)
    office_id = inputs.integer(item, "office_id", required=False, minimum=1)
    if item.get("user_email") is not None and not isinstance(item["user_email"], str):
        raise ValidationFailed(_("« %(name)s » : texte attendu.", name="user_email"), field)
    if office_id is not None:
        office = db.session.get(Office, office_id)
    elif isinstance(item.get("user_email"), str):
        office = _office_of(item["user_email"], party_ids, today, field)
    else:
        raise ValidationFailed(_("Chaque signataire est désigné par « office_id » ou « user_email »."), field)
    if office is None:
        raise ValidationFailed(_("Fonction inconnue."), field)
    stage = inputs.integer(item, "stage", required=False)
    return SignatoryData(office.id, stage if stage is not None else DEFAULT_STAGE.get(office.organisation.kind, 1))


def _office_of(email: str, party_ids: set[int], today: date, field: str) -> Office:
    offices = list(
        db.session.scalars(
            sa.select(Office)
            .join(Mandate)
            .join(User, User.id == Mandate.user_id)
            .where(
                User.email == email.strip().lower(),
                Office.organisation_id.in_(party_ids),
                Mandate.start_date <= today,
                sa.or_(Mandate.end_date.is_(None), Mandate.end_date >= today),
            )
        )
    )
    if len(offices) != 1:
        raise ValidationFailed(
            _(
                "%(email)s n'exerce pas aujourd'hui une et une seule fonction dans les parties : "
                "désignez la fonction par « office_id ».",
                email=email,
            ),
            field,
        )
    return offices[0]


def convention_data(data: dict[str, Any], user: User, today: date) -> tuple[ConventionData, list[PartyChoice]]:
    """The draft's data, and the parties' deliberation choices."""
    lead_org = lead(data, user)
    chosen = parties(data, lead_org)
    party_ids = [p.organisation_id for p in chosen]
    kind = data.get("kind", ConventionKind.CTG.value)
    if not isinstance(kind, str) or kind not in {k.value for k in ConventionKind}:
        raise ValidationFailed(_("« kind » : « ctg » ou « autre »."), "kind")
    slots = tuple(
        signatory(item, f"signatories[{i}]", set(party_ids), today)
        for i, item in enumerate(inputs.items(data, "signatories"))
    )
    return ConventionData(
        title=inputs.text(data, "title", max_length=300),
        reference=inputs.text(data, "reference", max_length=100),
        kind=ConventionKind(kind),
        lead_id=lead_org.id,
        caf_id=_caf(party_ids),
        start=inputs.required_day(data, "start"),
        end=inputs.required_day(data, "end"),
        preamble=inputs.text(data, "preamble", required=False, max_length=20000),
        steering_committee=inputs.text(data, "steering_committee", required=False, max_length=20000),
        deadline=inputs.day(data, "deadline", required=False),
        party_ids=tuple(party_ids),
        objectives=objectives(data),
        signatories=slots,
    ), chosen


def _caf(party_ids: list[int]) -> int | None:
    """The CAF among the parties (the first, should there be several)."""
    return db.session.scalar(
        sa.select(Organisation.id)
        .where(Organisation.id.in_(party_ids), Organisation.kind == OrganisationKind.CAF)
        .order_by(Organisation.id)
        .limit(1)
    )
