"""Signing with one's own certificate on a SoftHSM2 token through the headless agent and the API:
the whole circuit, the checks by pyHanko and pdfsig, and each refusal performed."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask
from flask.testing import FlaskClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from convsign.admin import trust_roots
from convsign.audit.labels import entry_label
from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import AuditEntry, Convention, ConventionStatus, PreparedSignature, Signatory, User
from convsign.pdf.validation import validate_document
from convsign.trust import platform
from tests.api.conftest import bearer, token_for
from tests.integration.test_signing_flow import sign as sign_with_internal_key
from tests.pdfsig import require_tools, run_pdfsig, signature_blocks
from tests.tokens import CHOSEN_PIN_ENV, PIN, SOFTHSM_MODULE, Hsm, mayor_email, run_agent
from tests.world import Territory, build_territory, open_convention


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=2)


def trust_test_ca(app: Flask, hsm: Hsm) -> None:
    with app.app_context():
        trust_roots.add_root(hsm.ca.pem, None, datetime.now(UTC))
        db.session.commit()


def slot_of(app: Flask, convention_id: int, email: str) -> int:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        slots = db.session.scalars(sa.select(Signatory).where(Signatory.convention_id == convention_id)).all()
        return next(s.id for s in slots if s.office.holder_on(datetime.now(UTC).date()).user_id == user.id)  # type: ignore[union-attr]


def agent_sign(server: str, api_token: str, label: str, convention_id: int, slot_id: int,
               pin: str = PIN) -> tuple[int, str, str]:
    done = run_agent("sign", "--server", server, "--api-token", api_token, "--module", SOFTHSM_MODULE,
                     "--token-label", label, "--pin-env", CHOSEN_PIN_ENV, "--convention", str(convention_id),
                     "--slot", str(slot_id), pin=pin)
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def latest(app: Flask, convention_id: int) -> tuple[str, bytes, ConventionStatus]:
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        return convention.latest_sha256 or "", documents.latest_content(convention), convention.status


def test_a_mayor_signs_from_the_token_and_the_completion_carries_the_chain(
        app: Flask, territory: Territory, hsm: Hsm, live_server: str, tmp_path: Path) -> None:
    trust_test_ca(app, hsm)
    convention_id = open_convention(app, territory)
    first, second = mayor_email(1), mayor_email(2)
    assert {first, second} <= {h.email for h in territory.holders}
    code, out, err = agent_sign(live_server, token_for(app, first), "maire1-ec", convention_id,
                                slot_of(app, convention_id, first))
    assert code == 0, err
    sha, pdf, _status = latest(app, convention_id)
    assert out == sha
    code, out, err = agent_sign(live_server, token_for(app, second), "maire2-rsa", convention_id,
                                slot_of(app, convention_id, second))
    assert code == 0, err
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "signature_created")
                                     .order_by(AuditEntry.id)).all()
        details = [e.details for e in entries]
        shown = [entry_label(e.action, e.details) for e in entries]  # as the journal and evidence file show it
    assert "révocation vérifiée" in str(details[0]) and "révocation non vérifiée" in str(details[1])
    assert shown[0].endswith("(certificat personnel, révocation vérifiée)")
    assert shown[1].endswith("(certificat personnel, révocation non vérifiée)")
    for title in ("Président", "Directeur"):
        sign_with_internal_key(app, convention_id, territory.holder(title).email)
    _sha, final, status = latest(app, convention_id)
    assert status == ConventionStatus.SIGNED
    with app.app_context():
        report = validate_document(final, platform.trust_settings())
    assert report.valid and report.level == "B-LTA"
    token_signatures = [s for s in report.signatures if s.issuer and "AC d'essai des cartes" in s.issuer]
    assert len(token_signatures) == 2
    assert all(s.intact and s.trusted and s.timestamp_time is not None for s in token_signatures)
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(final)))
    in_dss = {c.sha256 for c in dss.load_certs()}
    for label in ("maire1-ec", "maire2-rsa"):
        assert hsm.tokens[label].certificate.fingerprint(__import__("cryptography.hazmat.primitives.hashes",
                                                                    fromlist=["SHA256"]).SHA256()) in in_dss
    from asn1crypto import x509 as asn1_x509

    assert asn1_x509.Certificate.load(hsm.ca.certificate.public_bytes(Encoding.DER)).sha256 in in_dss
    assert len(dss.crls) >= 3  # the platform's two, and the test CA's fetched at prepare
    require_tools()
    blocks = signature_blocks(run_pdfsig(pdf, hsm.ca.certificate, tmp_path))
    token_block = [b for b in blocks if "AC d'essai" in b or "maire" in b.lower()]
    assert token_block and "Signature Validation: Signature is Valid." in token_block[0], blocks
    assert "Certificate Validation: Certificate is Trusted." in token_block[0], blocks


@pytest.mark.parametrize(("label", "expected"), [
    ("inconnue", "pas émis par une autorité reconnue"),
    ("expiree", "pas valide aujourd'hui"),
    ("maire2-rsa", "pas le vôtre"),
    ("revoquee", "révoqué"),
])
def test_refused_certificates_say_why(app: Flask, territory: Territory, hsm: Hsm, live_server: str,
                                      label: str, expected: str) -> None:
    trust_test_ca(app, hsm)
    convention_id = open_convention(app, territory)
    before, _pdf, _status = latest(app, convention_id)
    code, out, err = agent_sign(live_server, token_for(app, mayor_email(1)), label, convention_id,
                                slot_of(app, convention_id, mayor_email(1)))
    assert code == 1 and out == ""
    assert expected in err, err
    assert latest(app, convention_id)[0] == before


def test_without_the_root_the_token_is_untrusted(app: Flask, territory: Territory, hsm: Hsm,
                                                 live_server: str) -> None:
    convention_id = open_convention(app, territory)
    code, _out, err = agent_sign(live_server, token_for(app, mayor_email(1)), "maire1-ec", convention_id,
                                 slot_of(app, convention_id, mayor_email(1)))
    assert code == 1 and "autorité reconnue" in err


def test_a_wrong_pin_is_refused_on_the_token(app: Flask, territory: Territory, hsm: Hsm, live_server: str) -> None:
    trust_test_ca(app, hsm)
    convention_id = open_convention(app, territory)
    code, _out, err = agent_sign(live_server, token_for(app, mayor_email(1)), "maire1-ec", convention_id,
                                 slot_of(app, convention_id, mayor_email(1)), pin="000000")
    assert code == 1 and "Code PIN incorrect" in err


def _sign_on_token(label: str, digest: bytes, algorithm: str) -> bytes:
    from convsign_agent import token

    mine, _others = token.choose(token.list_certificates(SOFTHSM_MODULE, label), None)
    return token.sign_digest(SOFTHSM_MODULE, label, mine, pin=PIN, digest=digest, algorithm=algorithm)


def _prepare(client: FlaskClient, api_token: str, convention_id: int, slot_id: int, seen: str,
             hsm: Hsm) -> dict[str, str]:
    chain = [base64.b64encode(hsm.tokens["maire1-ec"].certificate.public_bytes(Encoding.DER)).decode()]
    response = client.post(f"/api/v1/conventions/{convention_id}/signatories/{slot_id}/token-signature/preparation",
                           json={"seen_sha256": seen, "certificates": chain}, headers=bearer(api_token))
    assert response.status_code == 201, response.get_data(as_text=True)
    body: dict[str, str] = response.get_json()
    return body


def _finish(client: FlaskClient, api_token: str, convention_id: int, slot_id: int, prepared: dict[str, str]) -> object:
    value = _sign_on_token("maire1-ec", base64.b64decode(prepared["digest"]), prepared["signature_algorithm"])
    return client.post(f"/api/v1/conventions/{convention_id}/signatories/{slot_id}/token-signature",
                       json={"preparation": prepared["preparation"], "signature": base64.b64encode(value).decode()},
                       headers=bearer(api_token))


def test_a_signature_landing_after_prepare_is_a_409_then_a_new_prepare_succeeds(
        app: Flask, client: FlaskClient, territory: Territory, hsm: Hsm) -> None:
    trust_test_ca(app, hsm)
    convention_id = open_convention(app, territory)
    api_token, slot_id = token_for(app, mayor_email(1)), slot_of(app, convention_id, mayor_email(1))
    seen = latest(app, convention_id)[0]
    prepared = _prepare(client, api_token, convention_id, slot_id, seen, hsm)
    sign_with_internal_key(app, convention_id, mayor_email(2))  # the other mayor signs meanwhile
    stale = _finish(client, api_token, convention_id, slot_id, prepared)
    assert stale.status_code == 409  # type: ignore[attr-defined]
    fresh = _prepare(client, api_token, convention_id, slot_id, latest(app, convention_id)[0], hsm)
    done = _finish(client, api_token, convention_id, slot_id, fresh)
    assert done.status_code == 201, done.get_data(as_text=True)  # type: ignore[attr-defined]
    assert done.get_json()["sha256"] == latest(app, convention_id)[0]  # type: ignore[attr-defined]
    again = _finish(client, api_token, convention_id, slot_id, fresh)  # a prepared state serves once
    assert again.status_code in (409, 422)  # type: ignore[attr-defined]


def test_an_expired_preparation_is_refused(app: Flask, client: FlaskClient, territory: Territory, hsm: Hsm) -> None:
    trust_test_ca(app, hsm)
    convention_id = open_convention(app, territory)
    api_token, slot_id = token_for(app, mayor_email(1)), slot_of(app, convention_id, mayor_email(1))
    before = latest(app, convention_id)[0]
    prepared = _prepare(client, api_token, convention_id, slot_id, before, hsm)
    with app.app_context():
        state = db.session.scalar(sa.select(PreparedSignature)
                                  .where(PreparedSignature.token == prepared["preparation"]))
        assert state is not None
        state.expires_at = datetime.now(UTC) - timedelta(seconds=1)  # ten minutes have passed
        db.session.commit()
    response = _finish(client, api_token, convention_id, slot_id, prepared)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "expiré" in response.get_json()["detail"]  # type: ignore[attr-defined]
    assert latest(app, convention_id)[0] == before


def test_a_value_from_another_key_is_refused(app: Flask, client: FlaskClient, territory: Territory, hsm: Hsm) -> None:
    trust_test_ca(app, hsm)
    convention_id = open_convention(app, territory)
    api_token, slot_id = token_for(app, mayor_email(1)), slot_of(app, convention_id, mayor_email(1))
    prepared = _prepare(client, api_token, convention_id, slot_id, latest(app, convention_id)[0], hsm)
    value = _sign_on_token("revoquee", base64.b64decode(prepared["digest"]), prepared["signature_algorithm"])
    response = client.post(f"/api/v1/conventions/{convention_id}/signatories/{slot_id}/token-signature",
                           json={"preparation": prepared["preparation"], "signature": base64.b64encode(value).decode()},
                           headers=bearer(api_token))
    assert response.status_code == 422 and "ne correspond pas" in response.get_json()["detail"]


def test_someone_else_cannot_finish_a_preparation(app: Flask, client: FlaskClient, territory: Territory,
                                                   hsm: Hsm) -> None:
    trust_test_ca(app, hsm)
    convention_id = open_convention(app, territory)
    api_token, slot_id = token_for(app, mayor_email(1)), slot_of(app, convention_id, mayor_email(1))
    prepared = _prepare(client, api_token, convention_id, slot_id, latest(app, convention_id)[0], hsm)
    other = token_for(app, mayor_email(2))
    other_slot = slot_of(app, convention_id, mayor_email(2))
    response = _finish(client, other, convention_id, other_slot, prepared)
    assert response.status_code == 404  # type: ignore[attr-defined]


def test_the_agent_prepares_again_once_when_a_signature_lands_meanwhile(
        app: Flask, territory: Territory, hsm: Hsm, live_server: str) -> None:
    trust_test_ca(app, hsm)
    convention_id = open_convention(app, territory)
    landed: list[str] = []
    inner = app.wsgi_app

    def another_signature_first(environ: dict[str, object], start_response: object) -> object:
        """Before the agent's first finish reaches the app, the other mayor signs (a real signature)."""
        if str(environ["PATH_INFO"]).endswith("/token-signature") and not landed:
            landed.append("signed")
            sign_with_internal_key(app, convention_id, mayor_email(2))
        return inner(environ, start_response)  # type: ignore[arg-type]

    app.wsgi_app = another_signature_first  # type: ignore[method-assign,assignment]
    try:
        code, out, err = agent_sign(live_server, token_for(app, mayor_email(1)), "maire1-ec", convention_id,
                                    slot_of(app, convention_id, mayor_email(1)))
    finally:
        app.wsgi_app = inner  # type: ignore[method-assign]
    assert landed == ["signed"]
    assert code == 0, err
    assert out == latest(app, convention_id)[0]
    with app.app_context():
        signed = db.session.scalars(sa.select(Signatory).where(Signatory.convention_id == convention_id,
                                                               Signatory.signed_at.is_not(None))).all()
        used = db.session.scalars(sa.select(PreparedSignature)).all()
    assert len(signed) == 2
    assert sorted(p.used_at is not None for p in used) == [False, True]  # the stale preparation never served
