"""The RFC 3161 timestamp authority: DER in, DER out, tokens pyHanko accepts."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import algos, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.common_utils import handle_tsp_response
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from convsign.pki.authority import Pki
from convsign.pki.crl import build_crl, build_root_crl
from convsign.pki.errors import TimestampRequestRejected
from convsign.pki.tsa import TSA_POLICY_OID, TimestampAuthority, rejection_response


def request(digest: bytes, algorithm: str = "sha256", **extra: object) -> tsp.TimeStampReq:
    imprint = tsp.MessageImprint(
        {
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
            "hashed_message": digest,
        }
    )
    return tsp.TimeStampReq(
        {"version": "v1", "message_imprint": imprint, "cert_req": True, **extra}
    )


def context(pki: Pki) -> ValidationContext:
    now = datetime.now(UTC)
    week = now + timedelta(days=7)
    root = asn1_x509.Certificate.load(pki.root.public_bytes(serialization.Encoding.DER))
    crls = [build_crl(pki, [], now, week), build_root_crl(pki, now, week)]
    return ValidationContext(trust_roots=[root], crls=crls, allow_fetching=False)


def test_response_to_an_asn1crypto_request_validates(
    pki: Pki, timestamp_authority: TimestampAuthority
) -> None:
    digest = hashlib.sha256(b"convention").digest()
    answer = tsp.TimeStampResp.load(timestamp_authority.respond(request(digest, nonce=42).dump()))
    token = handle_tsp_response(answer, 42)  # checks status 'granted' and the nonce
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["policy"].dotted == TSA_POLICY_OID
    assert abs(info["gen_time"].native - datetime.now(UTC)) < timedelta(minutes=1)
    result = asyncio.run(
        validate_tst_signed_data(token["content"], context(pki), lambda _alg: digest)
    )
    status = TimestampSignatureStatus(**result)
    assert status.intact and status.valid and status.trusted


def test_pyhanko_client_request_is_answered(timestamp_authority: TimestampAuthority) -> None:
    digest = hashlib.sha512(b"x").digest()
    nonce, req = timestamp_authority.timestamper().request_cms(digest, "sha512")
    answer = tsp.TimeStampResp.load(timestamp_authority.respond(req.dump()))
    token = handle_tsp_response(answer, nonce)
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest


@pytest.mark.parametrize(
    ("der", "fail_info"),
    [
        (b"\x30\x03\x02\x01", "bad_data_format"),
        (b"GET / HTTP/1.1", "bad_data_format"),
        (request(hashlib.sha1(b"x").digest(), "sha1").dump(), "bad_alg"),
        (request(b"short").dump(), "bad_data_format"),
        (request(bytes(32), req_policy="1.2.3.4").dump(), "unaccepted_policy"),
    ],
)
def test_bad_requests_are_rejected_with_a_code(
    timestamp_authority: TimestampAuthority, der: bytes, fail_info: str
) -> None:
    with pytest.raises(TimestampRequestRejected) as caught:
        timestamp_authority.respond(der)
    assert caught.value.code == "tsa_request_rejected"
    assert caught.value.details["fail_info"] == fail_info
    # A token-less TimeStampResp: SEQUENCE { PKIStatusInfo } (asn1crypto can't load it whole).
    status = tsp.PKIStatusInfo.load(core.Sequence.load(rejection_response(caught.value))[0].dump())
    assert status["status"].native == "rejection"
    assert fail_info in status["fail_info"].native
