"""Every route × every role × the expected answer (issue 8's access-control table).

Two territories, each with an opened convention one of its mayors has signed. Each route is
called twice: with territory A's identifiers and with territory B's, the roles being relative to
that territory (the "signatory" of B's identifiers is B's mayor, the "other signatory" A's mayor).
A route missing from the table fails the test: whoever adds a route decides who may call it.

The expectations are permission outcomes only: a state-changing POST by an authorised role is
sent an empty (CSRF-valid) form and may answer a validation error; it must not be refused.
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from pypdf import PdfWriter

from convsign.admin import services as admin
from convsign.admin import trust_roots
from convsign.api import tokens, webhooks
from convsign.deliberations import services as deliberations
from convsign.extensions import db
from convsign.followup import services as followup
from convsign.models import (
    Convention,
    ConventionParty,
    Delegation,
    Mandate,
    OrganisationKind,
    Role,
    Signatory,
    User,
)
from convsign.outbox import delivery, queue
from convsign.signing import keys
from convsign.signing import services as signing
from tests.conftest import Auth, Factory, csrf_token
from tests.tokens import make_ca
from tests.world import PASSPHRASE, Territory, build_territory, open_convention

ROLES = ("anonymous", "signatory", "other_signatory", "other_coordinator", "coordinator", "admin")

# Expected outcomes.
OK = "ok"  # 2xx or 3xx (not to the login page)
LOGIN = "login"  # 302 to the login page
UNAUTHORISED = "401"
FORBIDDEN = "403"
HIDDEN = "404"
ACCEPTED = "not refused"  # anything but 401, 403, 404 or the login page (validation errors included)
PUBLIC = "public"  # anything but 401, 403 or the login page (a bogus link token may 404)


def outcomes(
    anonymous: str, signatory: str, other_signatory: str, other_coordinator: str, coordinator: str, admin_: str
) -> dict[str, str]:
    """One row of the table, by relative role."""
    return dict(
        zip(ROLES, (anonymous, signatory, other_signatory, other_coordinator, coordinator, admin_), strict=True)
    )


# Rows used over and over (G: a page to read; P: a form to post).
G_PUBLIC = outcomes(*[OK] * 6)
P_PUBLIC = outcomes(*[PUBLIC] * 6)
G_USER = outcomes(LOGIN, OK, OK, OK, OK, OK)
P_USER = outcomes(LOGIN, ACCEPTED, ACCEPTED, ACCEPTED, ACCEPTED, ACCEPTED)
G_ADMIN = outcomes(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
P_ADMIN = outcomes(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ACCEPTED)
G_MANAGERS = outcomes(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
P_MANAGERS = outcomes(LOGIN, FORBIDDEN, FORBIDDEN, ACCEPTED, ACCEPTED, ACCEPTED)
# A convention's pages: its parties see it, another territory's people get 404 (not 403: no guessing).
G_VISIBLE = outcomes(LOGIN, OK, HIDDEN, HIDDEN, OK, OK)
P_VISIBLE = outcomes(LOGIN, ACCEPTED, HIDDEN, HIDDEN, ACCEPTED, ACCEPTED)
# Managed by its coordinator (and the admin): signatories are refused by role, the other EPCI sees nothing.
G_MANAGED = outcomes(LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, OK, OK)
P_MANAGED = outcomes(LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, ACCEPTED, ACCEPTED)
# A draft's pages asked of an opened convention: refused by state, never by permission.
G_MANAGED_LATE = outcomes(LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, ACCEPTED, ACCEPTED)
# Decided by the coordinator, on a party anyone of the convention sees: its mayor is refused, others see nothing.
P_MANAGED_SEEN = outcomes(LOGIN, FORBIDDEN, HIDDEN, HIDDEN, ACCEPTED, ACCEPTED)
# Only the owner of the object (a key, a token): anyone else's is 404.
P_OWNER = outcomes(LOGIN, ACCEPTED, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
# The API: a token, never the session; the same visibility rules.
A_LIST = outcomes(UNAUTHORISED, OK, OK, OK, OK, OK)
A_VISIBLE = outcomes(UNAUTHORISED, OK, HIDDEN, HIDDEN, OK, OK)
A_POST_VISIBLE = outcomes(UNAUTHORISED, ACCEPTED, HIDDEN, HIDDEN, ACCEPTED, ACCEPTED)
A_POST_MANAGED = outcomes(UNAUTHORISED, FORBIDDEN, FORBIDDEN, HIDDEN, ACCEPTED, ACCEPTED)
A_POST_ANY = outcomes(UNAUTHORISED, ACCEPTED, ACCEPTED, ACCEPTED, ACCEPTED, ACCEPTED)
# A slot's own act (sign, refuse, make one's key): only its holder; the convention's managers are refused.
A_POST_HOLDER = outcomes(UNAUTHORISED, ACCEPTED, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN)
A_POST_MANAGERS = outcomes(UNAUTHORISED, FORBIDDEN, FORBIDDEN, ACCEPTED, ACCEPTED, ACCEPTED)

# (method, rule) → (URL template filled from the side's identifiers, expected row).
TABLE: dict[tuple[str, str], tuple[str, dict[str, str]] | tuple[str, dict[str, str], dict[str, Any]]] = {
    ("GET", "/"): ("/", G_USER),
    # Accounts.
    ("GET", "/connexion"): ("/connexion", G_PUBLIC),
    ("POST", "/connexion"): ("/connexion", P_PUBLIC),
    ("POST", "/deconnexion"): ("/deconnexion", P_USER),
    ("GET", "/mot-de-passe-oublie"): ("/mot-de-passe-oublie", G_PUBLIC),
    ("POST", "/mot-de-passe-oublie"): ("/mot-de-passe-oublie", P_PUBLIC),
    ("GET", "/reinitialisation/<token>"): ("/reinitialisation/faux-lien", P_PUBLIC),
    ("GET", "/reinitialisation"): ("/reinitialisation", P_PUBLIC),
    ("POST", "/reinitialisation"): ("/reinitialisation", P_PUBLIC),
    ("GET", "/invitation/<token>"): ("/invitation/faux-lien", P_PUBLIC),
    ("GET", "/invitation"): ("/invitation", P_PUBLIC),
    ("POST", "/invitation"): ("/invitation", P_PUBLIC),
    ("POST", "/langue/<lang>"): ("/langue/fr", P_PUBLIC),
    ("GET", "/profil"): ("/profil", G_USER),
    ("POST", "/profil"): ("/profil", P_USER),
    ("POST", "/profil/deconnexion-partout"): ("/profil/deconnexion-partout", P_USER),
    ("GET", "/profil/jetons"): ("/profil/jetons", G_USER),
    ("POST", "/profil/jetons"): ("/profil/jetons", P_USER),
    ("POST", "/profil/jetons/<int:token_id>/revoquer"): ("/profil/jetons/{spare_token}/revoquer", P_OWNER),
    # Administration.
    ("GET", "/admin/courriels/"): ("/admin/courriels/", G_ADMIN),
    ("GET", "/admin/courriels/<int:message_id>.eml"): ("/admin/courriels/{message}.eml", G_ADMIN),
    ("GET", "/admin/delegations"): ("/admin/delegations", G_ADMIN),
    ("GET", "/admin/delegations/nouvelle"): ("/admin/delegations/nouvelle", G_ADMIN),
    ("POST", "/admin/delegations/nouvelle"): ("/admin/delegations/nouvelle", P_ADMIN),
    ("POST", "/admin/delegations/<int:delegation_id>/terminer"): ("/admin/delegations/{delegation}/terminer", P_ADMIN),
    ("GET", "/admin/modeles/<any(ctg, autre):kind>"): ("/admin/modeles/ctg", G_ADMIN),
    ("POST", "/admin/modeles/<any(ctg, autre):kind>"): ("/admin/modeles/ctg", P_ADMIN),
    ("GET", "/admin/mandats"): ("/admin/mandats", G_ADMIN),
    ("GET", "/admin/mandats/nouveau"): ("/admin/mandats/nouveau", G_ADMIN),
    ("POST", "/admin/mandats/nouveau"): ("/admin/mandats/nouveau", P_ADMIN),
    ("GET", "/admin/mandats/<int:mandate_id>/modifier"): ("/admin/mandats/{mandate}/modifier", G_ADMIN),
    ("POST", "/admin/mandats/<int:mandate_id>/modifier"): ("/admin/mandats/{mandate}/modifier", P_ADMIN),
    ("GET", "/admin/organisations"): ("/admin/organisations", G_MANAGERS),  # coordinators read the list
    ("GET", "/admin/organisations/nouvelle"): ("/admin/organisations/nouvelle", G_ADMIN),
    ("POST", "/admin/organisations/nouvelle"): ("/admin/organisations/nouvelle", P_ADMIN),
    ("GET", "/admin/organisations/<int:org_id>/modifier"): ("/admin/organisations/{spare_org}/modifier", G_ADMIN),
    ("POST", "/admin/organisations/<int:org_id>/modifier"): ("/admin/organisations/{spare_org}/modifier", P_ADMIN),
    ("POST", "/admin/organisations/<int:org_id>/<any(desactiver, reactiver):action>"): (
        "/admin/organisations/{spare_org}/desactiver",
        P_ADMIN,
    ),
    ("GET", "/admin/utilisateurs"): ("/admin/utilisateurs", G_ADMIN),
    ("GET", "/admin/utilisateurs/nouveau"): ("/admin/utilisateurs/nouveau", G_ADMIN),
    ("POST", "/admin/utilisateurs/nouveau"): ("/admin/utilisateurs/nouveau", P_ADMIN),
    ("GET", "/admin/utilisateurs/<int:user_id>/modifier"): ("/admin/utilisateurs/{spare_user}/modifier", G_ADMIN),
    ("POST", "/admin/utilisateurs/<int:user_id>/modifier"): ("/admin/utilisateurs/{spare_user}/modifier", P_ADMIN),
    ("POST", "/admin/utilisateurs/<int:user_id>/<any(desactiver, reactiver):action>"): (
        "/admin/utilisateurs/{spare_user}/desactiver",
        P_ADMIN,
    ),
    ("POST", "/admin/utilisateurs/<int:user_id>/inviter"): ("/admin/utilisateurs/{spare_user}/inviter", P_ADMIN),
    ("GET", "/admin/autorites-racines"): ("/admin/autorites-racines", G_ADMIN),
    ("POST", "/admin/autorites-racines"): ("/admin/autorites-racines", P_ADMIN),
    ("POST", "/admin/autorites-racines/<int:root_id>/retirer"): ("/admin/autorites-racines/{trusted_root}/retirer",
                                                                  P_ADMIN),
    ("POST", "/admin/autorites-racines/certificats-personnels"): ("/admin/autorites-racines/certificats-personnels",
                                                                  P_ADMIN),
    ("GET", "/admin/webhooks"): ("/admin/webhooks", G_ADMIN),
    ("POST", "/admin/webhooks"): ("/admin/webhooks", P_ADMIN),
    ("POST", "/admin/webhooks/<int:endpoint_id>/etat"): ("/admin/webhooks/{webhook}/etat", P_ADMIN),
    # Conventions.
    ("GET", "/conventions/"): ("/conventions/", G_USER),
    ("GET", "/conventions/nouvelle"): ("/conventions/nouvelle", G_MANAGERS),
    ("POST", "/conventions/nouvelle"): ("/conventions/nouvelle", P_MANAGERS),
    ("GET", "/conventions/<int:convention_id>"): ("/conventions/{convention}", G_VISIBLE),
    ("GET", "/conventions/<int:convention_id>/annuler"): ("/conventions/{convention}/annuler", G_MANAGED),
    ("POST", "/conventions/<int:convention_id>/annuler"): ("/conventions/{convention}/annuler", P_MANAGED),
    ("GET", "/conventions/<int:convention_id>/apercu"): ("/conventions/{convention}/apercu", G_MANAGED),
    ("GET", "/conventions/<int:convention_id>/clauses"): ("/conventions/{convention}/clauses", G_MANAGED_LATE),
    ("POST", "/conventions/<int:convention_id>/clauses"): ("/conventions/{convention}/clauses", P_MANAGED),
    ("GET", "/conventions/<int:convention_id>/chronologie"): ("/conventions/{convention}/chronologie", G_MANAGED),
    ("GET", "/conventions/<int:convention_id>/document"): ("/conventions/{convention}/document?revision=2", G_VISIBLE),
    ("GET", "/conventions/<int:convention_id>/document/apercu"): (
        "/conventions/{convention}/document/apercu?revision=1",
        G_VISIBLE,
    ),
    ("GET", "/conventions/<int:convention_id>/echeance"): ("/conventions/{convention}/echeance", G_MANAGED),
    ("POST", "/conventions/<int:convention_id>/echeance"): ("/conventions/{convention}/echeance", P_MANAGED),
    ("GET", "/conventions/<int:convention_id>/journal"): ("/conventions/{convention}/journal", G_VISIBLE),
    ("GET", "/conventions/<int:convention_id>/modifier"): ("/conventions/{convention}/modifier", G_MANAGED_LATE),
    ("POST", "/conventions/<int:convention_id>/modifier"): ("/conventions/{convention}/modifier", P_MANAGED),
    ("POST", "/conventions/<int:convention_id>/nouvelle-version"): (
        "/conventions/{convention}/nouvelle-version",
        P_MANAGED,
    ),
    ("GET", "/conventions/<int:convention_id>/ouvrir"): ("/conventions/{convention}/ouvrir", G_MANAGED_LATE),
    ("POST", "/conventions/<int:convention_id>/ouvrir"): ("/conventions/{convention}/ouvrir", P_MANAGED),
    ("GET", "/conventions/<int:convention_id>/preuve"): ("/conventions/{convention}/preuve", G_VISIBLE),
    ("GET", "/conventions/<int:convention_id>/refus"): ("/conventions/{convention}/refus", G_MANAGED),
    ("GET", "/conventions/<int:convention_id>/refus/<int:slot_id>/reattribuer"): (
        "/conventions/{convention}/refus/{refused}/reattribuer",
        G_MANAGED,
    ),
    ("POST", "/conventions/<int:convention_id>/refus/<int:slot_id>/reattribuer"): (
        "/conventions/{convention}/refus/{refused}/reattribuer",
        P_MANAGED,
    ),
    ("GET", "/conventions/<int:convention_id>/refus/cloturer"): ("/conventions/{convention}/refus/cloturer", G_MANAGED),
    ("POST", "/conventions/<int:convention_id>/refus/cloturer"): (
        "/conventions/{convention}/refus/cloturer",
        P_MANAGED,
    ),
    ("POST", "/conventions/<int:convention_id>/relances"): ("/conventions/{convention}/relances", P_MANAGED),
    ("POST", "/conventions/<int:convention_id>/relances/<int:slot_id>"): (
        "/conventions/{convention}/relances/{slot}",
        P_MANAGED,
    ),
    ("GET", "/conventions/<int:convention_id>/texte"): ("/conventions/{convention}/texte", G_MANAGED),
    ("POST", "/conventions/<int:convention_id>/texte"): ("/conventions/{convention}/texte", P_MANAGED),
    # Council deliberations.
    ("GET", "/deliberations/convention/<int:convention_id>"): ("/deliberations/convention/{convention}", G_VISIBLE),
    ("GET", "/deliberations/partie/<int:party_id>"): ("/deliberations/partie/{party}", G_VISIBLE),
    ("POST", "/deliberations/partie/<int:party_id>"): ("/deliberations/partie/{party}", P_VISIBLE),
    ("POST", "/deliberations/partie/<int:party_id>/confirmer"): ("/deliberations/partie/{party}/confirmer", P_VISIBLE),
    ("POST", "/deliberations/convention/<int:convention_id>/regle"): (
        "/deliberations/convention/{convention}/regle",
        P_MANAGED_SEEN,
        {"rule": "confirmed"},
    ),
    ("GET", "/deliberations/partie/<int:party_id>/deliberation.pdf"): (
        "/deliberations/partie/{party}/deliberation.pdf",
        G_VISIBLE,
    ),
    ("GET", "/deliberations/partie/<int:party_id>/extrait.pdf"): (
        "/deliberations/partie/{party}/extrait.pdf",
        G_VISIBLE,
    ),
    ("POST", "/deliberations/partie/<int:party_id>/dispense"): (
        "/deliberations/partie/{party}/dispense",
        P_MANAGED_SEEN,
        {"reason": "Essai"},
    ),
    ("POST", "/deliberations/partie/<int:party_id>/exiger"): ("/deliberations/partie/{party}/exiger", P_MANAGED_SEEN),
    # Signing.
    ("GET", "/signer/<int:slot_id>"): ("/signer/{slot}", G_VISIBLE),
    ("POST", "/signer/<int:slot_id>"): ("/signer/{slot}", P_VISIBLE),
    ("GET", "/signer/<int:slot_id>/case.png"): ("/signer/{slot}/case.png", G_VISIBLE),
    ("POST", "/signer/<int:slot_id>/certificat"): ("/signer/{slot}/certificat", P_VISIBLE),
    ("POST", "/signer/<int:slot_id>/cle"): ("/signer/{slot}/cle", P_VISIBLE),
    ("GET", "/signer/<int:slot_id>/refus"): ("/signer/{slot}/refus", G_VISIBLE),
    ("POST", "/signer/<int:slot_id>/refus"): ("/signer/{slot}/refus", P_VISIBLE),
    ("POST", "/signer/<int:slot_id>/carte/preparation"): ("/signer/{slot}/carte/preparation", P_VISIBLE),
    ("POST", "/signer/<int:slot_id>/carte/signature"): ("/signer/{slot}/carte/signature", P_VISIBLE),
    ("GET", "/signature/certificats"): ("/signature/certificats", G_USER),
    ("POST", "/signature/certificats"): ("/signature/certificats", P_USER),
    ("GET", "/signature/cles"): ("/signature/cles", G_USER),
    ("POST", "/signature/cles/<int:key_id>/phrase"): ("/signature/cles/{key}/phrase", P_OWNER),
    ("POST", "/signature/cles/<int:key_id>/revoquer"): ("/signature/cles/{key}/revoquer", P_OWNER),
    # Follow-up, verification.
    ("GET", "/tableau-de-bord"): ("/tableau-de-bord", G_MANAGERS),
    ("GET", "/tableau-de-bord/export.csv"): ("/tableau-de-bord/export.csv", G_MANAGERS),
    ("GET", "/verifier"): ("/verifier", G_USER),
    ("POST", "/verifier"): ("/verifier", P_USER),
    # The internal PKI's public files and timestamp authority.
    ("GET", "/pki/crl"): ("/pki/crl", G_PUBLIC),
    ("GET", "/pki/crl/root"): ("/pki/crl/root", G_PUBLIC),
    ("POST", "/pki/horodatage"): ("/pki/horodatage", P_PUBLIC),
    ("GET", "/pki/racine"): ("/pki/racine", G_PUBLIC),
    ("GET", "/pki/racine.cer"): ("/pki/racine.cer", G_PUBLIC),
    ("GET", "/pki/racine.pem"): ("/pki/racine.pem", G_PUBLIC),
    # The API.
    ("GET", "/api/v1/openapi.json"): ("/api/v1/openapi.json", G_PUBLIC),
    ("GET", "/api/v1/conventions"): ("/api/v1/conventions", A_LIST),
    ("POST", "/api/v1/conventions"): ("/api/v1/conventions", A_POST_MANAGERS),
    ("GET", "/api/v1/conventions/<int:convention_id>"): ("/api/v1/conventions/{convention}", A_VISIBLE),
    ("POST", "/api/v1/conventions/<int:convention_id>/cancel"): (
        "/api/v1/conventions/{convention}/cancel",
        A_POST_MANAGED,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/close"): (
        "/api/v1/conventions/{convention}/close",
        A_POST_MANAGED,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/deadline"): (
        "/api/v1/conventions/{convention}/deadline",
        A_POST_MANAGED,
    ),
    ("GET", "/api/v1/conventions/<int:convention_id>/deliberations"): (
        "/api/v1/conventions/{convention}/deliberations",
        A_VISIBLE,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/deliberations"): (
        "/api/v1/conventions/{convention}/deliberations",
        A_POST_VISIBLE,
        {"party_id": "@party"},
    ),
    ("GET", "/api/v1/conventions/<int:convention_id>/document"): (
        "/api/v1/conventions/{convention}/document",
        A_VISIBLE,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/document"): (
        "/api/v1/conventions/{convention}/document",
        A_POST_MANAGED,
    ),
    ("GET", "/api/v1/conventions/<int:convention_id>/evidence"): (
        "/api/v1/conventions/{convention}/evidence",
        A_VISIBLE,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/open"): ("/api/v1/conventions/{convention}/open", A_POST_MANAGED),
    ("POST", "/api/v1/conventions/<int:convention_id>/signatories/<int:slot_id>/reassignment"): (
        "/api/v1/conventions/{convention}/signatories/{slot}/reassignment",
        A_POST_MANAGED,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/signatories/<int:slot_id>/refusal"): (
        "/api/v1/conventions/{convention}/signatories/{slot}/refusal",
        A_POST_HOLDER,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/signatories/<int:slot_id>/signature"): (
        "/api/v1/conventions/{convention}/signatories/{slot}/signature",
        A_POST_HOLDER,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/signatories/<int:slot_id>/signing-key"): (
        "/api/v1/conventions/{convention}/signatories/{slot}/signing-key",
        A_POST_HOLDER,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/signatories/<int:slot_id>/token-signature/preparation"): (
        "/api/v1/conventions/{convention}/signatories/{slot}/token-signature/preparation",
        A_POST_HOLDER,
    ),
    ("POST", "/api/v1/conventions/<int:convention_id>/signatories/<int:slot_id>/token-signature"): (
        "/api/v1/conventions/{convention}/signatories/{slot}/token-signature",
        A_POST_HOLDER,
    ),
    ("POST", "/api/v1/verify"): ("/api/v1/verify", A_POST_ANY),
}

# Posted after everything else, in this order: they change the caller's own session.
LAST = ("/langue/<lang>", "/profil/deconnexion-partout", "/deconnexion")


@dataclasses.dataclass(frozen=True)
class Side:
    """One territory's identifiers, and who plays which role for them."""

    ids: dict[str, int]
    people: dict[str, str]  # relative role → e-mail of the person playing it


def _build_side(app: Flask, prefix: str, department: str) -> tuple[Territory, dict[str, int]]:
    """A territory whose first mayor signed its opened convention, plus spare objects to act on."""
    territory = build_territory(app, communes=2, prefix=prefix, department=department)
    convention_id = open_convention(app, territory, f"Convention {prefix}")
    mayor = territory.holders[0]
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        user = db.session.get(User, mayor.user_id)
        mandate = db.session.scalar(sa.select(Mandate).where(Mandate.office_id == mayor.office_id))
        slot = db.session.scalar(
            sa.select(Signatory).where(Signatory.convention_id == convention_id, Signatory.office_id == mayor.office_id)
        )
        assert convention is not None and user is not None and mandate is not None and slot is not None
        now = datetime.now(UTC)
        key = keys.create_key(user, mandate, PASSPHRASE, now)
        signing.sign_slot(slot.id, user, PASSPHRASE, convention.latest_sha256 or "", now)
        ids = {
            "convention": convention_id,
            "slot": slot.id,
            "key": key.id,
            "mandate": mandate.id,
            **_spares(territory, user, convention_id, prefix, now),
        }
        db.session.commit()
    return territory, ids


def _spares(territory: Territory, mayor: User, convention_id: int, prefix: str, now: datetime) -> dict[str, int]:
    """Objects the table's POSTs may change without spoiling the rest: a user, an organisation…"""
    spare_org = admin.save_organisation(
        admin.OrganisationData(
            OrganisationKind.OTHER, f"Association de réserve {prefix}", _siren(prefix, 99), None, None, None
        ),
        None,
    )
    spare_user = admin.save_user(
        admin.UserData(
            f"Réserve {prefix}", f"reserve.{prefix}@example.org", frozenset({Role.SIGNATORY}), territory.epci_id
        ),
        None,
    )
    party = db.session.scalar(
        sa.select(ConventionParty).where(
            ConventionParty.convention_id == convention_id, ConventionParty.organisation_id == territory.commune_ids[0]
        )
    )
    assert party is not None
    delegation = Delegation(
        office_id=territory.holders[1].office_id,
        delegate_user_id=spare_user.id,
        delegate_title="Premier adjoint",
        order_number=f"A-{prefix}",
        order_date=date(2026, 1, 5),
        scope="Toutes conventions",
        start_date=date(2026, 1, 5),
        end_date=None,
    )
    db.session.add(delegation)
    admin_user = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    assert admin_user is not None
    webhook = webhooks.create_endpoint(
        webhooks.EndpointData(territory.epci_id, f"https://{prefix}.example.org/h", ""), admin_user
    )
    message = queue.queue_email(f"x.{prefix}@example.org", "Essai", "Corps", None)
    assert message is not None
    spare_token = tokens.create_token(mayor, "Réserve", None, now).token
    _record_deliberation(party, admin_user)
    db.session.flush()
    return {
        "spare_org": spare_org.id,
        "spare_user": spare_user.id,
        "party": party.id,
        "delegation": delegation.id,
        "webhook": webhook.id,
        "trusted_root": trust_roots.add_root(make_ca(f"AC {prefix}").pem, admin_user, now).id,
        "message": message.id,
        "spare_token": spare_token.id,
        "refused": _refuse(territory, convention_id, now),
    }


def _record_deliberation(party: ConventionParty, actor: User) -> None:
    """The party's council deliberation, with its PDF (a blank page will do)."""
    data = deliberations.DeliberationData(
        session_date=date(2026, 1, 12),
        convocation_date=None,
        members_in_office=29,
        members_present=20,
        members_represented=0,
        secretary="",
        rapporteur="",
        subject="Signature de la CTG",
        unanimous=True,
        votes_for=None,
        votes_against=None,
        abstentions=None,
        number="del-1",
        actes_identifier=None,
        sent_on=None,
        acknowledged_on=None,
        published_on=None,
        publication_mode=None,
        executory_on=None,
    )
    deliberation = deliberations.record_deliberation(party, data, actor)
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    deliberations.attach_pdf(deliberation, out.getvalue(), actor)


def _refuse(territory: Territory, convention_id: int, now: datetime) -> int:
    """The second mayor refuses: their slot is one the coordinator may reassign."""
    holder = territory.holders[1]
    slot = db.session.scalar(
        sa.select(Signatory).where(Signatory.convention_id == convention_id, Signatory.office_id == holder.office_id)
    )
    user = db.session.get(User, holder.user_id)
    assert slot is not None and user is not None
    return followup.refuse_slot(slot.id, user, "Le conseil n'a pas délibéré.", now).id


def _siren(prefix: str, n: int) -> str:
    from stdnum import luhn

    base = f"{prefix}{n:05d}"[:8]
    return base + luhn.calc_check_digit(base)


@pytest.fixture
def sides(app: Flask, factory: Factory) -> tuple[Side, Side]:
    """Territory A and territory B, each with its people in their relative roles."""
    factory.user(Role.ADMIN, email="admin@example.org")
    a, a_ids = _build_side(app, "216", "62")
    b, b_ids = _build_side(app, "259", "59")
    with app.app_context():
        delivery.deliver_due()  # the e-mails' .eml files, for the outbox's download route
    mayor_a, mayor_b = a.holders[0].email, b.holders[0].email
    common = {"anonymous": "", "admin": "admin@example.org"}
    return (
        Side(
            a_ids,
            {
                **common,
                "signatory": mayor_a,
                "other_signatory": mayor_b,
                "other_coordinator": b.coordinator_email,
                "coordinator": a.coordinator_email,
            },
        ),
        Side(
            b_ids,
            {
                **common,
                "signatory": mayor_b,
                "other_signatory": mayor_a,
                "other_coordinator": a.coordinator_email,
                "coordinator": b.coordinator_email,
            },
        ),
    )


class Caller:
    """One person's browser session and API token."""

    def __init__(self, app: Flask, email: str) -> None:
        self.client = app.test_client()
        self.headers: dict[str, str] = {}
        if email:
            response = Auth(self.client).login(email)
            assert response.status_code == 302, email
            with app.app_context():
                user = db.session.scalar(sa.select(User).where(User.email == email))
                assert user is not None
                self.headers = {
                    "Authorization": "Bearer " + tokens.create_token(user, "Table", None, datetime.now(UTC)).secret
                }
                db.session.commit()
        self.token = csrf_token(self.client, "/connexion")

    def call(self, method: str, url: str, data: dict[str, Any]) -> Any:
        """The answer to one request: the API with the token, pages with the session (and its CSRF token)."""
        if url.startswith("/api/"):
            body = data if method == "POST" else None
            return self.client.open(url, method=method, headers=self.headers, json=body)
        if method == "POST":
            return self.client.post(url, data={"csrf_token": self.token, **data})
        return self.client.get(url)


def verdict(response: Any) -> str:
    """The permission outcome of an answer, in the table's terms."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and "/connexion" in location and "next=" in location:
        return LOGIN
    if status in (401, 403, 404):
        return str(status)
    if status >= 500:
        return "server error"
    return OK if status < 400 else "refused by the rules"  # 400, 409, 422, 429: validation, state, limits


def satisfies(expected: str, got: str) -> bool:
    """Whether an observed outcome meets the table's expectation."""
    if expected == ACCEPTED:
        return got in (OK, "refused by the rules")
    if expected == PUBLIC:
        return got in (OK, "refused by the rules", HIDDEN)
    return got == expected


def routes(app: Flask) -> Iterator[tuple[str, str]]:
    """Every (method, rule) the app serves, static files aside."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def order(item: tuple[str, str]) -> tuple[bool, int]:
    """Reads first, then posts; the posts that change the caller's own session last."""
    method, rule = item
    return method == "POST", LAST.index(rule) + 1 if rule in LAST else 0


def test_every_route_is_in_the_table(app: Flask) -> None:
    missing = sorted(set(routes(app)) - set(TABLE))
    stale = sorted(set(TABLE) - set(routes(app)))
    assert not missing, f"routes without an access decision: {missing}"
    assert not stale, f"table rows of routes that no longer exist: {stale}"


class _Ids(HTMLParser):
    """Every id attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value or "" for name, value in attrs if name == "id"]


def duplicate_ids(response: Any) -> list[str]:
    """The ids an HTML answer uses more than once (a label then points at the wrong field)."""
    if response.mimetype != "text/html":
        return []
    parser = _Ids()
    parser.feed(response.get_data(as_text=True))
    return sorted(i for i, n in Counter(parser.ids).items() if n > 1)


def test_duplicate_ids_are_caught() -> None:
    """The check below can fail: two forms that each render `csrf_token` and `approve`."""
    from flask import Response

    page = Response('<form><input id="csrf_token"><input id="approve"></form>'
                    '<form><input id="csrf_token"><input id="approve"><input id="p12-x"></form>', mimetype="text/html")
    assert duplicate_ids(page) == ["approve", "csrf_token"]


def test_access_table(app: Flask, sides: tuple[Side, Side]) -> None:
    """Every route for every role answers as the table says, and every page it shows has unique ids."""
    callers = {email: Caller(app, email) for email in {*sides[0].people.values(), *sides[1].people.values()}}
    wrong = []
    for method, rule in sorted(TABLE, key=order):
        template, expected, *extra = TABLE[method, rule]
        for name, side in zip("AB", sides, strict=True):
            url = template.format(**side.ids)
            data = {k: side.ids[v[1:]] if str(v).startswith("@") else v for k, v in (extra[0] if extra else {}).items()}
            for role in ROLES:
                response = callers[side.people[role]].call(method, url, data)
                got = verdict(response)
                if not satisfies(expected[role], got):
                    wrong.append(f"{method} {url} ({name}) as {role}: expected {expected[role]}, got {got}")
                if twice := duplicate_ids(response):
                    wrong.append(f"{method} {url} ({name}) as {role}: ids used more than once: {twice}")
    assert not wrong, "\n".join(wrong)
