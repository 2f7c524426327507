"""The public trust endpoints: root certificate, CRLs, RFC 3161 timestamps; and `flask pki export-ca`."""

from __future__ import annotations

import hashlib

from asn1crypto import core, tsp
from cryptography import x509
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from convsign.trust import platform
from tests.conftest import text


def test_export_ca_prints_the_root(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["pki", "export-ca"])
    assert result.exit_code == 0
    root = x509.load_pem_x509_certificate(result.stdout.encode())
    with app.app_context():
        assert root == platform.pki().root
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_root_page_and_downloads_need_no_login(client: FlaskClient, app: Flask) -> None:
    page = client.get("/pki/racine")
    assert page.status_code == 200
    assert "Acrobat" in text(page) and "certutil" in text(page)
    der = client.get("/pki/racine.cer").get_data()
    with app.app_context():
        assert x509.load_der_x509_certificate(der) == platform.pki().root
    assert client.get("/pki/racine.pem").get_data().startswith(b"-----BEGIN CERTIFICATE-----")


def test_crls_are_served_where_certificates_say(client: FlaskClient, app: Flask) -> None:
    with app.app_context():
        issuing = platform.pki().issuing
    response = client.get("/pki/crl")
    assert response.mimetype == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.get_data())
    assert crl.issuer == issuing.subject
    assert crl.is_signature_valid(issuing.public_key())  # type: ignore[arg-type]
    root_crl = x509.load_der_x509_crl(client.get("/pki/crl/root").get_data())
    assert root_crl.issuer == issuing.issuer


def test_timestamp_authority_over_http(client: FlaskClient) -> None:
    digest = hashlib.sha256(b"une convention").digest()
    request = tsp.TimeStampReq({"version": 1, "message_imprint": {
        "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest}, "cert_req": True})
    response = client.post("/pki/horodatage", data=request.dump(),
                           headers={"Content-Type": "application/timestamp-query"})
    assert response.status_code == 200 and response.mimetype == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.get_data())
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    wrong = client.post("/pki/horodatage", data=b"not asn.1", headers={"Content-Type": "application/timestamp-query"})
    status = core.Sequence.load(wrong.get_data())[0]  # asn1crypto wrongly requires a token in TimeStampResp
    assert tsp.PKIStatusInfo.load(status.dump())["status"].native == "rejection"
    assert client.post("/pki/horodatage", data=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
