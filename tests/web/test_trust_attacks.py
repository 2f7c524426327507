"""Issue 11's attacks through every way a person verifies a file: `flask verify --json`, the
verification page and `POST /api/v1/verify`.

The documents are built here with a throwaway PKI whose root the administrator adds to the trusted
roots (EXTRA_TRUST_ROOTS), as an instance trusting an outside authority would.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfReader

from convsign.models import Role
from tests.api.conftest import Api, conforms, problem, token_for
from tests.conftest import Auth, Factory
from tests.unit.pdf import _attacks as attacks
from tests.unit.pdf import _documents as docs
from tests.web.test_verification import upload


@dataclass(frozen=True)
class Outside:
    """An outside authority's documents: with the upload's own form fields, and plain."""

    pki: docs.TestPki
    form: bytes
    plain: bytes


@pytest.fixture(scope="module")
def outside() -> Outside:
    pki = docs.build_pki(2)
    return Outside(pki, attacks.form_document(pki), docs.build_document(pki, 2)[-1])


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture
def trusting(app: Flask, outside: Outside, tmp_path: Path) -> Outside:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(outside.pki.root.cert.public_bytes(Encoding.PEM))
    app.config["EXTRA_TRUST_ROOTS"] = str(bundle)
    return outside


@dataclass(frozen=True)
class Case:
    make: Callable[[Outside], bytes]
    valid: bool
    exit_code: int
    words: str  # what the report says, on the page, the console and in the JSON


CASES = {
    "amount_rewritten": Case(lambda o: attacks.fill_amount(o.form), False, 1,
                             "contenu modifié après la signature : champ « montant »"),
    "clause_ticked": Case(lambda o: attacks.tick_clause(o.form), False, 1,
                          "contenu modifié après la signature : champ « clause »"),
    "timestamp_only": Case(lambda o: attacks.timestamp_only(o.pki), False, 1,
                           "aucune signature, seulement un horodatage"),
    "flipped_byte": Case(lambda o: docs.flip_byte_in_signed_range(o.plain), False, 1,
                         "signature rompue : le fichier a été modifié après la signature"),
    "info_title": Case(lambda o: attacks.info_title(o.plain), True, 0,
                       "Des modifications non signées suivent la dernière signature : 1 révision ajoutée"),
    "bytes_after_eof": Case(lambda o: attacks.trailing_bytes(o.plain), True, 0,
                            "Des modifications non signées suivent la dernière signature : des octets ajoutés"),
}


def _json_words(report: dict[str, Any]) -> str:
    found = [report["verdict"], report["unsigned_changes"] or ""]
    found += [s["problem"] or "" for s in report["signatures"]]
    return "\n".join(found)


@pytest.mark.parametrize("name", list(CASES))
def test_the_command_line(runner: FlaskCliRunner, trusting: Outside, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path = tmp_path / "suspect.pdf"
    path.write_bytes(case.make(trusting))
    result = runner.invoke(args=["verify", str(path), "--json"])
    assert result.exit_code == case.exit_code, result.output
    report = json.loads(result.output)
    assert report["valid"] is case.valid
    assert case.words in _json_words(report)
    if name in ("info_title", "bytes_after_eof"):
        assert report["unsigned_changes_after_last_signature"] is True
    result = runner.invoke(args=["verify", str(path)])
    assert (result.exit_code, case.words in result.output) == (case.exit_code, True), result.output


@pytest.mark.parametrize("name", list(CASES))
def test_the_page(client: FlaskClient, auth: Auth, factory: Factory, trusting: Outside, name: str) -> None:
    case = CASES[name]
    auth.login(factory.user(Role.SIGNATORY).email)
    status, page = upload(client, case.make(trusting))
    assert status == 200
    assert case.words in page
    assert ("Document valide" in page) is case.valid


@pytest.mark.parametrize("name", list(CASES))
def test_the_api(app: Flask, api: Api, factory: Factory, trusting: Outside, name: str) -> None:
    case = CASES[name]
    token = token_for(app, factory.user(Role.SIGNATORY).email)
    response = api.pdf("/verify", token, case.make(trusting))
    assert response.status_code == 200, response.get_data(as_text=True)
    conforms("VerificationReport", response.get_json())
    assert response.get_json()["valid"] is case.valid
    assert case.words in _json_words(response.get_json())


def test_the_flipped_byte_is_not_called_unreadable(runner: FlaskCliRunner, trusting: Outside, tmp_path: Path) -> None:
    pdf = docs.flip_byte_in_signed_range(trusting.plain)
    path = tmp_path / "flipped.pdf"
    path.write_bytes(pdf)
    report = json.loads(runner.invoke(args=["verify", str(path), "--json"]).output)
    assert {s["error"] for s in report["signatures"]} == {"not_intact"}
    assert all(s["intact"] is False for s in report["signatures"])


def test_a_foreign_certification_is_not_called_the_platform_s_seal(
    client: FlaskClient, auth: Auth, factory: Factory, trusting: Outside
) -> None:
    auth.login(factory.user(Role.SIGNATORY).email)
    status, page = upload(client, trusting.plain)
    assert status == 200 and "Document valide" in page
    assert "sceau de la plateforme" not in page and "certification « Plateforme »" in page
    # Its CRLs are not at hand offline: the report says so rather than trusting silently.
    assert page.count("révocation non vérifiée") == 3


def test_untrusted_certificates_print_no_traceback(runner: FlaskCliRunner, outside: Outside, tmp_path: Path) -> None:
    path = tmp_path / "foreign.pdf"
    path.write_bytes(outside.plain)  # the outside root is NOT trusted here
    result = runner.invoke(args=["verify", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "Failed to build path" not in result.output
    assert "ne remonte à aucune autorité de confiance" in result.output


def test_an_uploaded_text_with_form_fields_is_refused_with_their_names(app: Flask, client: FlaskClient,
                                                                       auth: Auth) -> None:
    from tests.web.test_conventions import saved_draft
    from tests.web.test_conventions import upload as upload_text
    from tests.world import build_territory

    territory = build_territory(app, communes=1)
    auth.login(territory.coordinator_email)
    convention_id = saved_draft(app, territory)
    response = upload_text(client, convention_id, attacks.with_form_fields(docs.blank_pdf()))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "champs de formulaire (« clause », « montant »)" in page


@pytest.mark.parametrize(
    ("pdf", "what"),
    [
        (attacks.unc_open_action, "ouverture d&#39;un autre fichier"),
        (attacks.javascript_link, "ni web ni courriel"),
    ],
)
def test_an_uploaded_text_with_active_content_is_refused_and_says_what(
    app: Flask, client: FlaskClient, auth: Auth, pdf: Callable[[], bytes], what: str
) -> None:
    from tests.web.test_conventions import saved_draft
    from tests.web.test_conventions import upload as upload_text
    from tests.world import build_territory

    territory = build_territory(app, communes=1)
    auth.login(territory.coordinator_email)
    response = upload_text(client, saved_draft(app, territory), pdf())
    assert response.status_code == 422 and what in response.get_data(as_text=True)


def test_verification_is_rate_limited_per_person(app: Flask, api: Api, client: FlaskClient, auth: Auth,
                                                 factory: Factory, outside: Outside) -> None:
    app.config["VERIFY_RATE_LIMIT"] = "2 per minute"
    person = factory.user(Role.SIGNATORY)
    token = token_for(app, person.email)
    answers = [api.pdf("/verify", token, outside.plain).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    refused = problem(api.pdf("/verify", token, outside.plain), 429)
    assert "Trop de tentatives" in refused["detail"]
    auth.login(person.email)
    statuses = [upload(client, outside.plain)[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    other = factory.user(Role.SIGNATORY)
    auth.logout()
    auth.login(other.email)
    assert upload(client, outside.plain)[0] == 200  # another person is not held up


def test_a_decompression_budget_refuses_many_large_streams(app: Flask, runner: FlaskCliRunner,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(many_large_streams(75, 63))
    result = runner.invoke(args=["verify", str(path), "--json"])
    assert result.exit_code == 2
    first = json.loads(result.output.splitlines()[0])
    assert first["error"] == "decode_limit" and "128 Mo" in first["message"]


def many_large_streams(count: int, mib: int) -> bytes:
    """`count` Flate streams that each decode to `mib` MiB (each under the per-stream limit)."""
    from tests.unit.pdf.corpus import bad_files

    squeezed = bad_files.deflated_zeros(mib)
    pages = b" ".join(b"%d 0 R" % (4 + i) for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (pages, count),
               bad_files.stream(bad_files.CONTENT)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (4 + count + i)
                for i in range(count)]
    objects += [bad_files.stream(squeezed, b"/Filter /FlateDecode ")] * count
    pdf = bad_files.raw_pdf(objects)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == count
    return pdf
