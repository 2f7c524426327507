"""The verification page and `flask verify`: signed, tampered, cut-back and unreadable files."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from convsign.documents import services as documents
from convsign.extensions import db
from convsign.models import Convention, Role
from convsign.pdf.validation import SignatureReport
from tests.conftest import Auth, Factory, csrf_token, text
from tests.unit.pdf._documents import append_page_content
from tests.web.test_signing import sign_through_pages, slot_id
from tests.world import Territory, build_territory, open_convention

MIB = 1024 * 1024


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


@pytest.fixture
def signed(app: Flask, client: FlaskClient, auth: Auth, territory: Territory) -> tuple[int, bytes, bytes]:
    """A convention signed by its first signatory: (id, revision 1 (certified), revision 2 (signed))."""
    convention_id = open_convention(app, territory)
    mayor = territory.holder("Commune 1")
    response: Any = sign_through_pages(client, auth, mayor, slot_id(app, convention_id, mayor))
    assert response.status_code == 302
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None
        return (
            convention_id,
            documents.content(documents.revision(convention, 1)),
            documents.content(documents.revision(convention, 2)),
        )


def upload(client: FlaskClient, data: bytes, name: str = "document.pdf") -> tuple[int, str]:
    """Post the file as a browser would. The body is encoded in memory: the test client would spool a
    large one to a temporary file that nothing closes when the app refuses it unread."""
    token = csrf_token(client, "/verifier")
    boundary, body = encode_multipart({"csrf_token": token, "document": FileStorage(io.BytesIO(data), name)})
    response = client.post("/verifier", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    return response.status_code, text(response)


def login_coordinator(auth: Auth, territory: Territory) -> None:
    auth.login(territory.coordinator_email)


def test_a_signed_pdf_gets_a_valid_report(
    client: FlaskClient, auth: Auth, territory: Territory, signed: tuple[int, bytes, bytes]
) -> None:
    login_coordinator(auth, territory)
    status, page = upload(client, signed[2])
    assert status == 200
    assert "Document valide" in page
    assert page.count('">valide</span>') == 2  # the platform's certification and the mayor's signature
    assert "Élu·e Commune 1" in page and "certification (sceau de la plateforme)" in page
    assert "remplissage de formulaire et signatures" in page  # after the certification: the signature
    assert "Horodatage" in page and "(heure de Paris)" in page and "B-T" in page
    assert "révocation non vérifiée" not in page  # internal certificates: the platform's CRLs
    assert "Révision 2 de la convention « Convention Territoriale Globale 2027-2030 », à jour." in page
    # Offices and communes, never the internal field names (S01_Maire_de_…).
    assert "Maire de Commune 1 — Commune 1" in page and "certification de la plateforme" in page
    assert not re.search(r"S\d+_", page), re.findall(r"S\d+_\w+", page)


def test_a_tampered_pdf_is_invalid(
    client: FlaskClient, auth: Auth, territory: Territory, signed: tuple[int, bytes, bytes]
) -> None:
    login_coordinator(auth, territory)
    status, page = upload(client, append_page_content(signed[2]))
    assert status == 200
    assert "Document NON valide" in page and "autre modification" in page and '">non valide</span>' in page
    assert "inconnu de cette plateforme" in page


def test_a_cut_back_revision_is_valid_but_not_current(
    client: FlaskClient, auth: Auth, territory: Territory, signed: tuple[int, bytes, bytes]
) -> None:
    login_coordinator(auth, territory)
    status, page = upload(client, signed[1])
    assert status == 200
    assert "Document valide" in page
    assert (
        "Révision 1 de la convention « Convention Territoriale Globale 2027-2030 », qui n'est PLUS la "
        "version en cours : la convention compte 2 révisions." in page
    )


def test_the_title_is_shown_only_to_who_may_see_the_convention(
    client: FlaskClient, auth: Auth, factory: Factory, signed: tuple[int, bytes, bytes]
) -> None:
    auth.login(factory.user(Role.SIGNATORY).email)
    status, page = upload(client, signed[2])
    assert status == 200
    assert "Révision 2 d'une convention de cette plateforme, à jour." in page
    assert "Convention Territoriale Globale 2027-2030" not in page
    assert "Maire de Commune 1 —" not in page  # nor who signs it: the field is named as it is in the file


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"", 422, "Le fichier envoyé est vide."),
        (b"\x89PNG\r\n\x1a\n" + bytes(500), 415, "Ce fichier n'est pas un PDF."),
        (b"%PDF-1.7\n" + b"garbage " * 200, 422, "endommagé ou tronqué"),
        (encrypted_pdf(), 422, "Ce PDF est chiffré"),
    ],
)
def test_unreadable_uploads_get_a_message_and_no_500(
    client: FlaskClient, auth: Auth, factory: Factory, content: bytes, status: int, message: str
) -> None:
    auth.login(factory.user(Role.SIGNATORY).email)
    got, page = upload(client, content)
    assert (got, message in page) == (status, True), page[-3000:]


def test_a_truncated_signed_pdf_is_refused(
    client: FlaskClient, auth: Auth, territory: Territory, signed: tuple[int, bytes, bytes]
) -> None:
    login_coordinator(auth, territory)
    status, page = upload(client, signed[2][: len(signed[2]) * 2 // 3])
    assert status == 422 and "endommagé ou tronqué" in page


def test_a_pdf_without_signature_is_not_valid(client: FlaskClient, auth: Auth, factory: Factory) -> None:
    auth.login(factory.user(Role.SIGNATORY).email)
    status, page = upload(client, blank_pdf())
    assert status == 200 and "ne contient aucune signature" in page


def test_uploads_over_the_limit_are_refused(app: Flask, client: FlaskClient, auth: Auth, factory: Factory) -> None:
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2 * MIB)
    auth.login(factory.user(Role.SIGNATORY).email)
    padded = blank_pdf() + b"%" + b"x" * (MIB + 10)  # over the limit, under the request cap: inspection
    status, page = upload(client, padded)
    assert status == 413 and "dépasse la taille maximale de 1 Mo" in page
    status, page = upload(client, padded + b"x" * (2 * MIB))  # over the request cap: refused unread
    assert status == 413 and "dépasse la taille maximale de 1 Mo" in page


def test_the_page_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/verifier")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_the_nav_offers_the_page(client: FlaskClient, auth: Auth, factory: Factory) -> None:
    auth.login(factory.user(Role.SIGNATORY).email)
    page = text(client.get("/"))
    assert 'href="/verifier"' in page and "Vérifier un PDF" in page


def run_verify(runner: FlaskCliRunner, path: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(args=["verify", str(path), *options])
    return result.exit_code, result.output


def test_the_command_s_json_and_exit_codes(
    runner: FlaskCliRunner, tmp_path: Path, signed: tuple[int, bytes, bytes]
) -> None:
    good, tampered, garbage = tmp_path / "good.pdf", tmp_path / "tampered.pdf", tmp_path / "garbage.pdf"
    good.write_bytes(signed[2])
    tampered.write_bytes(append_page_content(signed[2]))
    garbage.write_bytes(b"not a pdf at all")
    code, output = run_verify(runner, good, "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["valid"] is True and report["convention"]["is_current"] is True
    assert report["signatures"][0]["field"] == "Certification"
    for signature in report["signatures"]:
        assert {
            "field",
            "signer",
            "intact",
            "trusted",
            "timestamp",
            "covers_whole_document",
            "modified_after",
        } <= signature.keys()
        assert isinstance(signature["intact"], bool) and isinstance(signature["covers_whole_document"], bool)
        assert signature["modified_after"] in ("none", "form_filling", "other")
        assert datetime.fromisoformat(signature["timestamp"]).tzinfo is not None
    assert report["signatures"][-1]["covers_whole_document"] is True
    code, output = run_verify(runner, tampered, "--json")
    assert code == 1 and json.loads(output)["valid"] is False
    assert json.loads(output)["signatures"][-1]["modified_after"] == "other"
    code, output = run_verify(runner, garbage, "--json")
    assert code == 2 and json.loads(output.splitlines()[0])["error"] == "not_pdf"
    code, output = run_verify(runner, good)
    assert code == 0 and "Document valide" in output and "à jour" in output


def test_a_certificate_revoked_after_a_timestamped_signature_is_explained(app: Flask) -> None:
    from convsign.verification.report import revocation_label

    report = SignatureReport(
        field="Maire",
        kind="approval",
        signer="Élu",
        issuer="CA",
        signing_time=None,
        timestamp_time=datetime(2026, 3, 1, 10, tzinfo=UTC),
        intact=True,
        valid=True,
        trusted=True,
        revoked_at=datetime(2026, 4, 2, 8, tzinfo=UTC),
        covers_whole_document=True,
        revision=2,
        modified_after="none",
        docmdp_ok=None,
        pades_level="B-T",
        bottom_line=True,
        error=None,
    )
    with app.test_request_context():
        assert (
            revocation_label(report) == "certificat révoqué le 2 avril 2026, après la signature : la signature "
            "reste valide"
        )
        assert "n'est pas valide" in str(revocation_label(replace(report, timestamp_time=None)))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Convention)) == 0


def test_the_administrator_s_extra_roots_are_trusted(app: Flask, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    from convsign.trust import platform

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AC RGS d'essai")])
    now = datetime.now(UTC)
    root = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now.replace(year=now.year + 1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(root.public_bytes(Encoding.PEM))
    with app.app_context():
        assert len(platform.trust_roots()) == 1  # the internal root alone
        app.config["EXTRA_TRUST_ROOTS"] = str(bundle)
        roots = platform.trust_roots()
        assert roots[0] == platform.pki().root and roots[1] == root
        assert root in platform.trust_settings().roots
