"""Fuzzing the two parsers of outside input, on a bounded budget: the verification of an uploaded PDF
(the service the page, the API and `flask verify` share) and the @ctes identifier parser.

Whatever the bytes or the text, the answer is a coded refusal or a result, never another exception.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convsign.rules.actes import ActesError, ActesIdentifier, parse_actes_identifier
from convsign.verification import report, services
from tests.unit.pdf.corpus import bad_files

# The codes a refusal may carry: the inspection's and the validation's (anything else is `damaged`).
REFUSAL_CODES = {"empty", "not_pdf", "too_large", "encrypted", "too_many_pages", "decode_limit", "active_content"}
EXAMPLE = "062-216205237-20221213-del-131222-330-DE"
# The budget: a few seconds for each PDF test, well under a second for the parser's.
PDF_BUDGET = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
TEXT_BUDGET = settings(max_examples=400, deadline=None, database=None)


@functools.cache
def bases() -> tuple[bytes, ...]:
    """Small real files to mutate: signed, plain, with a script, with an incremental update."""
    plain = bad_files.simple_pdf(pages=2)
    return (
        bad_files.signed(bad_files.typst_pdf(1)),
        plain,
        bad_files.javascript_open_action(),
        bad_files.signed(plain),
    )


Edit = tuple[str, float, int]
EDITS = st.lists(
    # Mostly flips: they keep the cross-reference offsets right, so more files get past the strict
    # reader into the signature validation (inserts and deletes mostly test the "damaged" refusal).
    st.tuples(
        st.sampled_from(["flip", "flip", "flip", "insert", "delete"]),
        st.floats(0, 1, exclude_max=True),
        st.integers(0, 255),
    ),
    min_size=1,
    max_size=4,
)


def mutated(data: bytes, edits: list[Edit]) -> bytes:
    """`data` with each edit applied at its relative position: flip a byte's bits, insert or delete one."""
    out = bytearray(data)
    for kind, where, value in edits:
        at = int(where * len(out)) if out else 0
        if kind == "insert" or not out:
            out.insert(at, value)
        elif kind == "flip":
            out[at] ^= value or 0xFF
        else:
            del out[at]
    return bytes(out)


@pytest.fixture
def verifying(app: Flask) -> Iterator[None]:
    """A request context: the service reads the configuration, the report speaks French."""
    with app.test_request_context("/verifier"):
        yield


def verify_or_refuse(pdf: bytes) -> None:
    """The service's whole path (verify, place, report); only a coded refusal may escape."""
    try:
        result = services.verify(pdf)
    except services.UnverifiableDocument as error:
        assert error.code in REFUSAL_CODES or error.message.startswith("Ce PDF est endommagé"), error.code
        assert 400 <= error.status < 500
        return
    json.dumps(report.report_json(result, services.placement(pdf, None)))
    assert result.valid == (bool(result.signatures) and all(s.ok for s in result.signatures))


@PDF_BUDGET
@given(data=st.binary(max_size=2048), header=st.booleans())
def test_random_bytes_are_refused_with_a_code(verifying: None, data: bytes, header: bool) -> None:
    verify_or_refuse(b"%PDF-1.7\n" + data if header else data)


@PDF_BUDGET
@given(base=st.integers(0, 3), edits=EDITS)
def test_mutated_pdfs_get_a_report_or_a_coded_refusal(verifying: None, base: int, edits: list[Edit]) -> None:
    verify_or_refuse(mutated(bases()[base], edits))


def test_the_unmutated_signed_base_is_read(verifying: None) -> None:
    """The fuzzing starts from files the service reads: a self-signed signature, intact but untrusted."""
    result = services.verify(bases()[0])
    assert len(result.signatures) == 1 and result.signatures[0].intact and not result.valid


def parse_or_refuse(value: str) -> None:
    """A parsed identifier prints back to what was parsed; a refusal carries a known code."""
    try:
        parsed = parse_actes_identifier(value)
    except ActesError as error:
        assert error.code in {"format", "siren_checksum", "decision_date", "internal_number", "nature"}
        return
    assert isinstance(parsed, ActesIdentifier)
    assert str(parsed) == value.strip() and parse_actes_identifier(str(parsed)) == parsed


@TEXT_BUDGET
@given(value=st.text(max_size=80))
def test_random_text_is_parsed_or_refused(value: str) -> None:
    parse_or_refuse(value)


@TEXT_BUDGET
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["replace", "insert", "delete"]),
            st.floats(0, 1, exclude_max=True),
            st.sampled_from("0123456789-AZaz_ \n\t\u00a0\u0663\u200b\u202e\x00é"),
        ),
        max_size=6,
    )
)
def test_mutated_identifiers_are_parsed_or_refused(edits: list[tuple[str, float, str]]) -> None:
    chars = list(EXAMPLE)
    for kind, where, char in edits:
        at = int(where * len(chars)) if chars else 0
        if kind == "insert" or not chars:
            chars.insert(at, char)
        elif kind == "replace":
            chars[at] = char
        else:
            del chars[at]
    parse_or_refuse("".join(chars))
