"""Hostile files through every door a PDF comes in: the coordinator's upload of the CAF's text, the
API's document upload, the verification page and the API's verification.

Each file gets a 4xx with a French message, never a 500; nothing is stored (no uploaded text, no
file in the document store); and the memory the request allocates stays bounded – a bomb that
inflates to 1 GiB must be stopped long before.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from convsign.conventions import services as conventions
from convsign.extensions import db
from convsign.models import Convention, User
from tests.api.conftest import bearer, token_for
from tests.conftest import Auth, csrf_token, text
from tests.unit.pdf.corpus import bad_files
from tests.world import Territory, build_territory, convention_data, waive_all

MiB = 1024 * 1024
# What a request may allocate on top of its input: the inspection decodes one stream at a time,
# at most 64 MiB of it, so a bomb of 1 GiB costs about 130 MiB and no more.
MEMORY_BOUND = 200 * MiB


@dataclasses.dataclass(frozen=True)
class Hostile:
    """A bad file and the key phrase of its French message on the upload and on the verification."""

    name: str
    build: Callable[[], bytes]
    upload_phrase: str
    verify_phrase: str


TOO_LARGE = "Le fichier envoyé est trop volumineux."
CORPUS = (
    Hostile("not_pdf", lambda: b"GIF89a" + bytes(300), "Ce fichier n'est pas un PDF.", "Ce fichier n'est pas un PDF."),
    Hostile("empty", lambda: b"", "Le fichier envoyé est vide.", "Le fichier envoyé est vide."),
    Hostile("truncated", bad_files.truncated, "endommagé ou illisible", "endommagé ou tronqué"),
    Hostile(
        "encrypted",
        lambda: bad_files.encrypted(bad_files.simple_pdf()),
        "protégé par un mot de passe ou chiffré",
        "Ce PDF est chiffré",
    ),
    Hostile(
        "decompression_bomb",
        lambda: bad_files.decompression_bomb(1024),
        "anormalement volumineuses",
        "anormalement volumineuses",
    ),
    Hostile("page_tree_loop", bad_files.page_tree_loop, "endommagé ou illisible", "endommagé ou tronqué"),
    Hostile("reference_loop", bad_files.reference_chain_loop, "endommagé ou illisible", "endommagé ou tronqué"),
    Hostile("broken_xref", bad_files.broken_xref, "endommagé ou illisible", "endommagé ou tronqué"),
    Hostile("javascript", bad_files.javascript_open_action, "contenu actif", "contenu actif"),
    Hostile("launch_action", bad_files.launch_link, "contenu actif", "contenu actif"),
    Hostile(
        "1000_pages",
        lambda: bad_files.simple_pdf(pages=1000),
        "nombre maximal de 500 pages",
        "nombre maximal de 500 pages",
    ),
    # A valid PDF followed by 60 MB of junk: over the request cap (MAX_UPLOAD_MB + 1), refused unread.
    Hostile(
        "60_mb",
        lambda: bad_files.simple_pdf() + b"%" + b"x" * (60 * MiB),
        TOO_LARGE,
        "dépasse la taille maximale de 50 Mo",
    ),
)


@functools.cache
def content(name: str) -> bytes:
    """The corpus file `name`, built once per session."""
    return next(h for h in CORPUS if h.name == name).build()


def by_name() -> list[Any]:
    return [pytest.param(h, id=h.name) for h in CORPUS]


def measured(call: Callable[[], Any]) -> tuple[Any, int]:
    """Run `call`; return its result and the peak of what it allocated (bytes, Python allocators)."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def territory(app: Flask) -> Territory:
    return build_territory(app, communes=1)


@pytest.fixture
def draft(app: Flask, territory: Territory) -> int:
    """A draft convention of the territory's coordinator (its deliberations waived)."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == territory.coordinator_email))
        assert user is not None
        convention = conventions.save_draft(convention_data(territory), user)
        waive_all(convention)
        db.session.commit()
        return convention.id


def multipart(client: FlaskClient, page: str, data: bytes) -> tuple[str, bytes]:
    """A browser's form body for the file, encoded in memory (the test client would spool a large
    body to a temporary file it never closes when the app refuses it unread)."""
    token = csrf_token(client, page)
    boundary, body = encode_multipart({"csrf_token": token, "document": FileStorage(io.BytesIO(data), "bad.pdf")})
    return f"multipart/form-data; boundary={boundary}", body


def assert_nothing_stored(app: Flask, convention_id: int) -> None:
    with app.app_context():
        convention = db.session.get(Convention, convention_id)
        assert convention is not None and convention.uploaded_text_sha256 is None
        assert convention.revision_count == 0
    assert not [p for p in (Path(app.instance_path) / "documents").rglob("*") if p.is_file()]


def assert_refused(response: Any, peak: int, data: bytes) -> None:
    assert 400 <= response.status_code < 500, response.status_code
    assert peak < len(data) + MEMORY_BOUND, f"{peak / MiB:.0f} MiB allocated"


@pytest.mark.parametrize("hostile", by_name())
def test_the_coordinator_s_upload_refuses_it(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, draft: int, hostile: Hostile
) -> None:
    auth.login(territory.coordinator_email)
    data = content(hostile.name)
    path = f"/conventions/{draft}/texte"
    content_type, body = multipart(client, path, data)
    response, peak = measured(lambda: client.post(path, data=body, content_type=content_type))
    assert_refused(response, peak, data)
    assert hostile.upload_phrase in text(response)
    assert_nothing_stored(app, draft)


@pytest.mark.parametrize("hostile", by_name())
def test_the_api_s_upload_refuses_it(
    app: Flask, client: FlaskClient, territory: Territory, draft: int, hostile: Hostile
) -> None:
    token = token_for(app, territory.coordinator_email)
    data = content(hostile.name)
    response, peak = measured(
        lambda: client.post(
            f"/api/v1/conventions/{draft}/document", data=data, headers=bearer(token), content_type="application/pdf"
        )
    )
    assert_refused(response, peak, data)
    assert response.mimetype == "application/problem+json"
    assert hostile.upload_phrase in response.get_json()["detail"]
    assert_nothing_stored(app, draft)


@pytest.mark.parametrize("hostile", by_name())
def test_the_verification_page_refuses_it(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, draft: int, hostile: Hostile
) -> None:
    auth.login(territory.coordinator_email)
    data = content(hostile.name)
    content_type, body = multipart(client, "/verifier", data)
    response, peak = measured(lambda: client.post("/verifier", data=body, content_type=content_type))
    assert_refused(response, peak, data)
    assert hostile.verify_phrase in text(response)
    assert_nothing_stored(app, draft)


@pytest.mark.parametrize("hostile", by_name())
def test_the_api_s_verification_refuses_it(
    app: Flask, client: FlaskClient, territory: Territory, draft: int, hostile: Hostile
) -> None:
    token = token_for(app, territory.coordinator_email)
    data = content(hostile.name)
    response, peak = measured(
        lambda: client.post("/api/v1/verify", data=data, headers=bearer(token), content_type="application/pdf")
    )
    assert_refused(response, peak, data)
    assert response.mimetype == "application/problem+json"
    phrase = TOO_LARGE if hostile.name == "60_mb" else hostile.verify_phrase
    assert phrase in response.get_json()["detail"]
    assert_nothing_stored(app, draft)


def test_sixty_megabytes_read_past_the_request_cap_are_refused_by_size(
    app: Flask, client: FlaskClient, auth: Auth, territory: Territory, draft: int
) -> None:
    """With a request cap above the file, the body is read: the inspection's size check refuses it
    before parsing, still in bounded memory."""
    app.config["MAX_CONTENT_LENGTH"] = 80 * MiB
    auth.login(territory.coordinator_email)
    data = content("60_mb")
    path = f"/conventions/{draft}/texte"
    for page, phrase in (
        (path, "dépasse la taille maximale de 50 Mo"),
        ("/verifier", "dépasse la taille maximale de 50 Mo"),
    ):
        content_type, body = multipart(client, page, data)
        response, peak = measured(lambda: client.post(page, data=body, content_type=content_type))  # noqa: B023
        assert_refused(response, peak, data)
        assert phrase in text(response)
    assert_nothing_stored(app, draft)
