"""Signing through the web client: a five-signatory convention in three stages, to PAdES B-LTA.

The final PDF is checked by pyHanko with only the internal root as trust anchor, and by
poppler's pdfsig with that root in an NSS database.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask
from flask.testing import FlaskClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp

from convsign.extensions import db
from convsign.models import Convention, ConventionStatus, Signatory, SigningKey, SlotState
from convsign.trust import platform
from tests.conftest import Auth, post_form, text
from tests.pdfsig import run_pdfsig, signature_blocks
from tests.world import PASSPHRASE, Holder, Territory, build_territory, open_convention


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=3)


def slot_id(app: Flask, convention_id: int, holder: Holder) -> int:
    with app.app_context():
        found = db.session.scalar(sa.select(Signatory.id).where(
            Signatory.convention_id == convention_id, Signatory.office_id == holder.office_id))
        assert found is not None
        return found


def seen_hash(client: FlaskClient, slot: int) -> str:
    match = re.search(r'name="seen_sha256" type="hidden" value="([0-9a-f]{64})"', text(client.get(f"/signer/{slot}")))
    assert match
    return match.group(1)


def sign_through_pages(client: FlaskClient, auth: Auth, holder: Holder, slot: int,
                       passphrase: str = PASSPHRASE) -> object:
    auth.login(holder.email)
    page = text(client.get(f"/signer/{slot}"))
    first: dict[str, str] = {}
    if "Confirmez la phrase secrète" in page and passphrase == PASSPHRASE:
        first = {"confirm": passphrase}  # a first signature: the key is made as one signs
    elif "Confirmez la phrase secrète" in page:  # a key under PASSPHRASE first, then sign with `passphrase`
        created = post_form(client, f"/signer/{slot}/cle", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE},
                            token_from=f"/signer/{slot}")
        assert created.status_code == 302, text(created)
    response = post_form(client, f"/signer/{slot}", {"seen_sha256": seen_hash(client, slot), "approve": "y",
                                                     "passphrase": passphrase, **first}, token_from=f"/signer/{slot}")
    auth.logout()
    return response


def test_five_signatories_three_stages_to_a_valid_b_lta_pdf(app: Flask, client: FlaskClient, auth: Auth,
                                                             territory: Territory, tmp_path: Path) -> None:
    convention_id = open_convention(app, territory)
    for holder in territory.holders:  # communes (stage 1), president (2), CAF director (3)
        response = sign_through_pages(client, auth, holder, slot_id(app, convention_id, holder))
        assert response.status_code == 302, text(response)  # type: ignore[attr-defined]
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None and convention.status == ConventionStatus.SIGNED
        root = platform.pki().root
    auth.login(territory.coordinator_email)
    final = client.get(f"/conventions/{convention_id}/document")
    assert final.status_code == 200 and final.mimetype == "application/pdf"
    pdf = final.get_data()
    check_with_pyhanko(pdf, root)
    report = run_pdfsig(pdf, root, tmp_path)
    blocks = signature_blocks(report)
    approvals = [b for b in blocks if "Signer Certificate Common Name: Élu·e" in b]
    assert len(approvals) == 5, report
    for block in approvals:
        assert "Signature Validation: Signature is Valid." in block, block
        assert "Certificate Validation: Certificate is Trusted." in block, block
    assert "Total document signed" in blocks[-1], blocks[-1]  # the document timestamp covers the whole file
    assert "Common Name: Horodatage convsign" in blocks[-1]  # pdfsig does not verify document timestamps
    assert "Signature is Invalid" not in report


def check_with_pyhanko(pdf: bytes, root: object) -> None:
    """Every signature intact, trusted, timestamped; earlier ones followed by form filling only."""
    from cryptography import x509

    assert isinstance(root, x509.Certificate)
    anchor = asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))
    reader = PdfFileReader(io.BytesIO(pdf))
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    # Only what the document carries, plus the internal root: an archived file must stand alone.
    context = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [anchor], "allow_fetching": False})
    signatures = reader.embedded_signatures
    approvals = [s for s in signatures if s.sig_object_type == "/Sig"]
    assert len(approvals) == 6  # the platform's certification, five signatories
    for sig in approvals:
        status = validate_pdf_signature(sig, context)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted
        assert status.modification_level is not None
        assert status.modification_level <= ModificationLevel.FORM_FILLING
    doc_timestamp = signatures[-1]
    assert doc_timestamp.sig_object_type == "/DocTimeStamp"
    ts_status = validate_pdf_timestamp(doc_timestamp, validation_context=context)
    assert ts_status.intact and ts_status.valid and ts_status.trusted


@pytest.fixture
def convention_id(app: Flask, territory: Territory) -> int:
    return open_convention(app, territory)


def test_wrong_passphrase_never_signs_and_locks_the_key(app: Flask, client: FlaskClient, auth: Auth,
                                                       territory: Territory, convention_id: int) -> None:
    holder = territory.holder("Commune 1")
    slot = slot_id(app, convention_id, holder)
    app.config["PASSPHRASE_MAX_ATTEMPTS"] = 3
    for _ in range(3):
        response = sign_through_pages(client, auth, holder, slot, passphrase="ce n'est pas la bonne")
        assert response.status_code == 422  # type: ignore[attr-defined]
        assert "Phrase secrète de signature incorrecte" in text(response)
    locked = sign_through_pages(client, auth, holder, slot)  # the right one, but too late
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert "votre clé est bloquée" in text(locked)
    with app.app_context():
        assert db.session.get(Signatory, slot).state == SlotState.OPEN  # type: ignore[union-attr]
        assert db.session.get(Convention, convention_id).revision_count == 1  # type: ignore[union-attr]
        key = db.session.scalar(sa.select(SigningKey))
        assert key is not None and key.locked_until is not None
        from convsign.models import AuditEntry

        wrong = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "signing_passphrase_wrong")).all()
        assert len(wrong) == 3


def _latest(app: Flask, convention_id: int) -> str:
    with app.app_context():
        return db.session.get(Convention, convention_id).latest_sha256  # type: ignore[union-attr,return-value]


def test_server_refuses_another_persons_slot_and_a_closed_stage(app: Flask, client: FlaskClient, auth: Auth,
                                                                 territory: Territory, convention_id: int) -> None:
    mayor1, mayor2, president = (territory.holder("Commune 1"), territory.holder("Commune 2"),
                                 territory.holder("Président"))
    sign_through_pages(client, auth, mayor1, slot_id(app, convention_id, mayor1))  # creates mayor 1's key
    auth.login(mayor1.email)
    other = slot_id(app, convention_id, mayor2)
    assert "Seule la personne qui exerce la fonction" in text(client.get(f"/signer/{other}"))
    own_view = _latest(app, convention_id)  # a forged request, as if the form had been shown
    forged = post_form(client, f"/signer/{other}", {"seen_sha256": own_view, "approve": "y",
                                                    "passphrase": PASSPHRASE}, token_from=f"/signer/{other}")
    assert forged.status_code == 422
    assert "Ce signataire n'est pas le vôtre" in text(forged)
    auth.logout()
    auth.login(president.email)
    president_slot = slot_id(app, convention_id, president)
    assert "Votre tour n'est pas encore venu" in text(client.get(f"/signer/{president_slot}"))
    early = post_form(client, f"/signer/{president_slot}", {"seen_sha256": _latest(app, convention_id),
                                                            "approve": "y", "passphrase": PASSPHRASE},
                      token_from=f"/signer/{president_slot}")
    assert early.status_code == 422
    assert "Votre tour n'est pas encore venu" in text(early)
    with app.app_context():
        states = db.session.scalars(sa.select(Signatory.state).where(Signatory.convention_id == convention_id)).all()
        assert states.count(SlotState.SIGNED) == 1


def test_stale_seen_hash_is_told_to_reload_then_succeeds(app: Flask, client: FlaskClient, auth: Auth,
                                                         territory: Territory, convention_id: int) -> None:
    mayor1, mayor2 = territory.holder("Commune 1"), territory.holder("Commune 2")
    slot2 = slot_id(app, convention_id, mayor2)
    auth.login(mayor2.email)
    post_form(client, f"/signer/{slot2}/cle", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE},
              token_from=f"/signer/{slot2}")
    stale = seen_hash(client, slot2)
    auth.logout()
    sign_through_pages(client, auth, mayor1, slot_id(app, convention_id, mayor1))
    auth.login(mayor2.email)
    response = post_form(client, f"/signer/{slot2}", {"seen_sha256": stale, "approve": "y", "passphrase": PASSPHRASE},
                         token_from=f"/signer/{slot2}")
    assert response.status_code == 409
    assert "Le document a changé depuis que vous l'avez ouvert" in text(response)
    retry = post_form(client, f"/signer/{slot2}", {"seen_sha256": seen_hash(client, slot2), "approve": "y",
                                                   "passphrase": PASSPHRASE}, token_from=f"/signer/{slot2}")
    assert retry.status_code == 302
    again = post_form(client, f"/signer/{slot2}", {"seen_sha256": stale, "approve": "y", "passphrase": PASSPHRASE},
                      token_from=f"/signer/{slot2}")  # a second click, or a resent form
    assert again.status_code == 422
    assert "déjà signé" in text(again)
    with app.app_context():
        assert db.session.get(Convention, convention_id).revision_count == 3  # type: ignore[union-attr]


def test_a_flipped_byte_or_a_cut_file_is_not_the_current_document(app: Flask, client: FlaskClient, auth: Auth,
                                                                   territory: Territory, convention_id: int) -> None:
    from convsign.documents import services as documents
    from convsign.pdf.errors import PdfError
    from convsign.pdf.validation import validate_document

    for holder in territory.holders[:2]:
        sign_through_pages(client, auth, holder, slot_id(app, convention_id, holder))
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        current = documents.latest_content(convention)
        earlier = documents.content(documents.revision(convention, 2))
        trust = platform.trust_settings()
        assert documents.identify(current) == documents.Identification(convention_id, 3, True)
        cut = documents.identify(current[: len(earlier)])
        assert cut == documents.Identification(convention_id, 2, False)  # valid on its own, not current
        assert validate_document(earlier, trust).valid
        for offset in (10, len(current) // 3, len(current) // 2, len(current) - 40):
            flipped = bytearray(current)
            flipped[offset] ^= 0x01
            assert documents.identify(bytes(flipped)) is None
        sig_start = current.rindex(b"/Contents <") + 20
        tampered = bytearray(current)
        tampered[sig_start] = ord("0") if tampered[sig_start] != ord("0") else ord("1")
        try:
            assert not validate_document(bytes(tampered), trust).valid
        except PdfError as error:  # the signature value no longer parses: detected too
            assert error.code == "unreadable"


def make_pkcs12(app: Flask, password: bytes, trusted: bool = True) -> bytes:
    """A .p12 like a provider would give: a P-256 key and its certificate with the chain."""
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    from convsign.pki.authority import PkiSettings, ensure_pki
    from convsign.pki.certificates import SignerSubject, issue_signer_certificate

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    with app.app_context():
        authority = platform.pki() if trusted else ensure_pki(PkiSettings(
            Path(app.instance_path) / "foreign-pki", b"another secret", "Autre autorité", "http://x.invalid/crl",
            tsa_key_size=2048), now)
    cert = issue_signer_certificate(authority, SignerSubject("Élu·e Commune 1 ’test’", "Commune 1"),
                                    key.public_key(), now - timedelta(minutes=1), now + timedelta(days=30))
    return pkcs12.serialize_key_and_certificates(b"signer", key, cert, [authority.issuing],
                                                 BestAvailableEncryption(password))


def post_pkcs12(client: FlaskClient, slot: int, data: bytes, password: str, seen: str) -> object:
    token = csrf_token_of(client, f"/signer/{slot}")
    return client.post(f"/signer/{slot}/certificat", data={
        "p12-csrf_token": token, "p12-seen_sha256": seen, "p12-approve": "y", "p12-password": password,
        "p12-certificate": (io.BytesIO(data), "moi.p12")}, content_type="multipart/form-data")


def csrf_token_of(client: FlaskClient, path: str) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, path)


def test_sign_once_with_ones_own_pkcs12(app: Flask, client: FlaskClient, auth: Auth, territory: Territory,
                                        convention_id: int) -> None:
    holder = territory.holder("Commune 1")
    slot = slot_id(app, convention_id, holder)
    auth.login(holder.email)
    seen = _latest(app, convention_id)
    untrusted = post_pkcs12(client, slot, make_pkcs12(app, b"secret", trusted=False), "secret", seen)
    assert untrusted.status_code == 422  # type: ignore[attr-defined]
    assert "n'est pas émis par une autorité reconnue" in text(untrusted)
    wrong = post_pkcs12(client, slot, make_pkcs12(app, b"secret"), "pas celui-ci", seen)
    assert "mot de passe du fichier de certificat est incorrect" in text(wrong)
    garbage = post_pkcs12(client, slot, b"not a p12 file", "secret", seen)
    assert "n'est pas un certificat .p12 ou .pfx lisible" in text(garbage)
    ok = post_pkcs12(client, slot, make_pkcs12(app, b"secret"), "secret", seen)
    assert ok.status_code == 302, text(ok)  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.get(Signatory, slot).state == SlotState.SIGNED  # type: ignore[union-attr]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 0  # nothing kept
        from convsign.documents import services as documents
        from convsign.pdf.validation import validate_last_signature

        convention = db.session.get(Convention, convention_id)
        report = validate_last_signature(documents.latest_content(convention), platform.trust_settings())  # type: ignore[arg-type]
        assert report.intact and report.trusted and report.signer == "Élu·e Commune 1 ’test’"


def test_change_passphrase_then_revoke_and_the_crl_lists_it(app: Flask, client: FlaskClient, auth: Auth,
                                                             territory: Territory, convention_id: int) -> None:
    holder = territory.holder("Commune 1")
    slot = slot_id(app, convention_id, holder)
    sign_through_pages(client, auth, holder, slot)
    auth.login(holder.email)
    with app.app_context():
        key = db.session.scalar(sa.select(SigningKey))
        assert key is not None
        key_id, serial = key.id, int(key.serial_hex, 16)
    new = "une toute nouvelle phrase"
    change = f"cle{key_id}-changer-"  # each key's forms are prefixed: one page, unique ids
    token = csrf_token_of(client, "/signature/cles")
    bad = post_form(client, f"/signature/cles/{key_id}/phrase",
                    {f"{change}csrf_token": token, f"{change}current": "mauvaise phrase!",
                     f"{change}passphrase": new, f"{change}confirm": new},
                    token_from="/signature/cles")
    assert bad.status_code == 422 and "Phrase secrète de signature incorrecte" in text(bad)
    good = post_form(client, f"/signature/cles/{key_id}/phrase",
                     {f"{change}csrf_token": token, f"{change}current": PASSPHRASE,
                      f"{change}passphrase": new, f"{change}confirm": new},
                     token_from="/signature/cles")
    assert good.status_code == 302
    with app.app_context():
        from convsign.pki.keys import unlock_key

        blob = db.session.get(SigningKey, key_id).key_blob  # type: ignore[union-attr]
        unlock_key(blob, new)
    time.sleep(1.1)  # CRLs date revocations to the second: revoke in a later second than the signature
    revoked = post_form(client, f"/signature/cles/{key_id}/revoquer", {f"cle{key_id}-revoquer-confirm": "y",
                                                                    f"cle{key_id}-revoquer-csrf_token": token},
                        token_from="/signature/cles")
    assert revoked.status_code == 302
    from cryptography import x509

    crl = x509.load_der_x509_crl(client.get("/pki/crl").get_data())
    assert crl.get_revoked_certificate_by_serial_number(serial) is not None
    with app.app_context():
        from convsign.documents import services as documents
        from convsign.pdf.validation import validate_document

        convention = db.session.get(Convention, convention_id)
        report = validate_document(documents.latest_content(convention), platform.trust_settings())  # type: ignore[arg-type]
    mine = next(s for s in report.signatures if s.kind == "approval" and s.signer.startswith("Élu·e"))
    assert mine.intact and mine.trusted  # made and timestamped before the revocation: still valid
    other = post_form(client, f"/signature/cles/{key_id}/revoquer", {f"cle{key_id}-revoquer-confirm": "y",
                      f"cle{key_id}-revoquer-csrf_token": csrf_token_of(client, "/signature/cles")},
                      token_from="/signature/cles")
    assert other.status_code == 302  # revoking twice changes nothing


def test_the_signing_page_shows_the_slots_own_box(app: Flask, client: FlaskClient, auth: Auth,
                                                  territory: Territory, convention_id: int) -> None:
    from PIL import Image

    from convsign.pdf.preview import HIGHLIGHT

    holder = territory.holder("Commune 2")
    slot = slot_id(app, convention_id, holder)
    auth.login(holder.email)
    page = text(client.get(f"/signer/{slot}"))
    assert f"/signer/{slot}/case.png" in page and "encadrée en jaune" in page
    response = client.get(f"/signer/{slot}/case.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.get_data())).convert("RGB")
    highlighted = sum(1 for pixel in image.get_flattened_data() if pixel == HIGHLIGHT)
    assert highlighted > 500
    assert client.get(f"/signer/{slot}/case.png").get_data() == response.get_data()  # from the cache
    auth.logout()
    assert client.get(f"/signer/{slot}/case.png").status_code == 302  # login required


def test_a_first_signature_is_one_submit_and_a_refused_one_leaves_no_key(
        app: Flask, client: FlaskClient, auth: Auth, territory: Territory, convention_id: int) -> None:
    holder = territory.holder("Commune 1")
    slot = slot_id(app, convention_id, holder)
    auth.login(holder.email)
    seen = seen_hash(client, slot)
    base = {"seen_sha256": seen, "passphrase": PASSPHRASE, "confirm": PASSPHRASE}
    unticked = post_form(client, f"/signer/{slot}", base, token_from=f"/signer/{slot}")
    differ = post_form(client, f"/signer/{slot}", {**base, "approve": "y", "confirm": PASSPHRASE + "!"},
                       token_from=f"/signer/{slot}")
    stale = post_form(client, f"/signer/{slot}", {**base, "approve": "y", "seen_sha256": "0" * 64},
                      token_from=f"/signer/{slot}")
    assert (unticked.status_code, differ.status_code, stale.status_code) == (422, 422, 409)
    assert "Les deux saisies diffèrent." in text(differ)
    with app.app_context():  # refused attempts made no key: the signatory starts again with the same form
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 0
    signed = post_form(client, f"/signer/{slot}", {**base, "approve": "y"}, token_from=f"/signer/{slot}")
    assert signed.status_code == 302 and signed.location.endswith(f"/signer/{slot}#signer")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 1
        assert db.session.get(Signatory, slot).signed_at is not None  # type: ignore[union-attr]
    page = text(client.get(f"/signer/{slot}"))
    assert "révision 2" in page
