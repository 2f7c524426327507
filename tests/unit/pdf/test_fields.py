"""Signature fields: all in one incremental update, validated names and placements, listing."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from convsign.pdf.errors import FieldError
from convsign.pdf.fields import (
    FieldInfo,
    FieldPlacement,
    add_signature_fields,
    check_field_names,
    list_signature_fields,
)
from tests.unit.pdf.corpus import bad_files

PLACEMENTS = (
    FieldPlacement("maire_62523", 0, (60.0, 600.0, 280.5, 680.25)),
    FieldPlacement("president_epci", 1, (300.0, 100.0, 520.0, 180.0)),
    FieldPlacement("directeur-caf", 1, (60.0, 100.0, 280.0, 180.0)),
)


@pytest.fixture(scope="module")
def two_pages() -> bytes:
    return bad_files.typst_pdf(2)


def revisions(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).xrefs.total_revisions)


def test_fields_listed_where_they_were_placed(two_pages: bytes) -> None:
    prepared = add_signature_fields(two_pages, PLACEMENTS)
    fields = list_signature_fields(prepared)
    assert [(f.name, f.page_index, f.box, f.signed) for f in fields] == [
        (p.field_name, p.page_index, p.box, False) for p in PLACEMENTS
    ]


def test_all_fields_in_one_incremental_update(two_pages: bytes) -> None:
    prepared = add_signature_fields(two_pages, PLACEMENTS)
    assert prepared.startswith(two_pages)  # incremental: the original bytes are kept
    assert revisions(prepared) == revisions(two_pages) + 1


@pytest.mark.parametrize("name", ["maire.loison", "", "espace interdite", "é", "x" * 65])
def test_invalid_names_refused(two_pages: bytes, name: str) -> None:
    with pytest.raises(FieldError) as raised:
        add_signature_fields(two_pages, (FieldPlacement(name, 0, (10, 10, 100, 50)),))
    assert raised.value.code == "invalid_field_name"
    assert raised.value.details["field_name"] == name


def test_duplicate_names_refused() -> None:
    with pytest.raises(FieldError) as raised:
        check_field_names(["maire_1", "maire_2", "maire_1"])
    assert raised.value.code == "duplicate_field_name"


def test_existing_field_refused(two_pages: bytes) -> None:
    prepared = add_signature_fields(two_pages, PLACEMENTS[:1])
    with pytest.raises(FieldError) as raised:
        add_signature_fields(prepared, PLACEMENTS[:1])
    assert raised.value.code == "field_exists"


@pytest.mark.parametrize(
    "placement",
    [
        FieldPlacement("hors_page", 2, (10, 10, 100, 50)),
        FieldPlacement("negative", -1, (10, 10, 100, 50)),
        FieldPlacement("trop_large", 0, (10, 10, 700, 50)),
        FieldPlacement("inverse", 0, (100, 10, 10, 50)),
        FieldPlacement("sous_la_page", 0, (10, -20, 100, 50)),
    ],
)
def test_placement_outside_the_document_refused(two_pages: bytes, placement) -> None:
    with pytest.raises(FieldError) as raised:
        add_signature_fields(two_pages, (placement,))
    assert raised.value.code == "invalid_placement"


def test_signed_invisible_field_is_listed_as_signed() -> None:
    signed = bad_files.signed(bad_files.typst_pdf(1))
    # pyHanko's invisible field is a zero-area widget, still attached to the first page.
    assert list_signature_fields(signed) == (FieldInfo("Signature1", 0, None, True),)


def test_no_fields_in_a_plain_pdf(two_pages: bytes) -> None:
    assert list_signature_fields(two_pages) == ()
