"""The platform's RFC 3161 timestamp authority, built on pyHanko's `DummyTimeStamper` machinery.

`respond()` backs the HTTP endpoint (`application/timestamp-query` in, `-reply` out);
`timestamper()` gives pyHanko a `TimeStamper` for in-process B-T signatures.
"""

from __future__ import annotations

from typing import Any, ClassVar

from asn1crypto import cms, core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.sign import general
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from convsign.pki.authority import Pki
from convsign.pki.errors import PkiMaterialInvalid, TimestampRequestRejected

# A policy identifier under the UUID arc 2.25 (ITU-T X.667), which needs no registration.
TSA_POLICY_OID = "2.25.111854926688556602725049080243125120180"
_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def _asn1_cert(cert: Any) -> asn1_x509.Certificate:
    """cryptography certificate → asn1crypto certificate (what pyHanko works with)."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _attribute(attr_type: str, value: Any) -> cms.CMSAttribute:
    """One signed attribute (what pyHanko's untyped `simple_cms_attribute` builds)."""
    return cms.CMSAttribute({"type": cms.CMSAttributeType(attr_type), "values": (value,)})


def _store(*certs: asn1_x509.Certificate) -> SimpleCertificateStore:
    """A pyHanko certificate store holding `certs`."""
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    store.register_multiple(certs)
    return store


class _PkiTimeStamper(DummyTimeStamper):
    """DummyTimeStamper that keeps the parsed RSA key and states our own TSA policy."""

    def __init__(self, pki: Pki, key: rsa.RSAPrivateKey) -> None:
        key_info = keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        # Embedding the issuing CA lets validators build the TSA's path from the token alone.
        super().__init__(
            tsa_cert=_asn1_cert(pki.tsa),
            tsa_key=key_info,
            certs_to_embed=_store(_asn1_cert(pki.issuing)),
        )
        self._rsa_key = key

    def _build_tst_info(self, message_imprint: Any, dt: Any, req: Any) -> tsp.TSTInfo:
        tst_info = super()._build_tst_info(message_imprint, dt, req)
        tst_info["policy"] = TSA_POLICY_OID
        return tst_info

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: Any
    ) -> tuple[bytes, cms.CMSAttributes]:
        # Same attributes as pyHanko's, but without re-parsing the key for every token.
        digest = hashes.Hash(_HASHES[md_algorithm])
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                _attribute("content_type", "tst_info"),
                _attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                _attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
                _attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._rsa_key.sign(
            signed_attrs.dump(), padding.PKCS1v15(), _HASHES[md_algorithm]
        )
        return signature, signed_attrs


def _parse_request(request_der: bytes) -> tsp.TimeStampReq:
    """Decode a TimeStampReq completely, so malformed input fails here and not half-way."""
    try:
        request = tsp.TimeStampReq.load(request_der, strict=True)
        request.native  # noqa: B018 - forces parsing of every nested field
    except (ValueError, TypeError, KeyError, EOFError, OverflowError) as exc:
        raise TimestampRequestRejected(fail_info="bad_data_format") from exc
    return request


def _check_request(request: tsp.TimeStampReq) -> None:
    """Accept v1 requests for SHA-2 imprints of the right length, our policy, no extensions."""
    if request["version"].native != "v1":
        raise TimestampRequestRejected(fail_info="bad_request", reason="version")
    imprint = request["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in _DIGEST_SIZES:
        raise TimestampRequestRejected(fail_info="bad_alg", algorithm=algorithm)
    if len(imprint["hashed_message"].native) != _DIGEST_SIZES[algorithm]:
        raise TimestampRequestRejected(fail_info="bad_data_format", reason="imprint_length")
    policy = request["req_policy"].native
    if policy is not None and policy != TSA_POLICY_OID:
        raise TimestampRequestRejected(fail_info="unaccepted_policy", policy=policy)
    if request["extensions"].native:
        raise TimestampRequestRejected(fail_info="unaccepted_extension")


class _StatusOnlyResponse(core.Sequence):  # type: ignore[misc]
    """TimeStampResp without its token (asn1crypto wrongly makes `timeStampToken` mandatory)."""

    _fields: ClassVar[list[tuple[str, type]]] = [("status", tsp.PKIStatusInfo)]


def rejection_response(error: TimestampRequestRejected) -> bytes:
    """An RFC 3161 TimeStampResp with status `rejection` for a refused request (DER)."""
    status = tsp.PKIStatusInfo(
        {
            "status": "rejection",
            "fail_info": tsp.PKIFailureInfo({error.details["fail_info"]}),
        }
    )
    return bytes(_StatusOnlyResponse({"status": status}).dump())


class TimestampAuthority:
    """The TSA of the platform: the PKI's TSA certificate and its (RSA) key, unlocked once."""

    def __init__(self, pki: Pki) -> None:
        key = pki.tsa_key()
        if not isinstance(key, rsa.RSAPrivateKey):
            raise PkiMaterialInvalid(role="tsa", reason="tsa_key_must_be_rsa")
        self._stamper = _PkiTimeStamper(pki, key)

    def respond(self, request_der: bytes) -> bytes:
        """Answer a DER TimeStampReq with a DER TimeStampResp; refuse bad ones (coded error)."""
        request = _parse_request(request_der)
        _check_request(request)
        return bytes(self._stamper.request_tsa_response(request).dump())

    def timestamper(self) -> DummyTimeStamper:
        """A pyHanko `TimeStamper` answering in-process (shared: it caches its size estimate)."""
        return self._stamper
