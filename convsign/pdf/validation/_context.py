"""Offline validation contexts: the caller's roots and CRLs plus what the document's DSS holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from .reports import TrustSettings

ContextFactory = Callable[..., ValidationContext]


def context_factory(reader: PdfFileReader, trust: TrustSettings) -> ContextFactory:
    """A maker of fresh validation contexts, the DSS parsed once for the whole document.

    Each signature gets its own context so that nothing one validation caches can colour
    another's verdict; `allow_fetching=False` keeps validation offline. Keyword arguments given
    to the factory (`moment`...) are passed on to `ValidationContext`.
    """
    kwargs = _base_kwargs(trust)
    dss = _read_dss(reader)
    if dss is not None:
        kwargs["other_certs"] = list(dss.load_certs())
        kwargs["crls"] += [_stream_crl(ref) for ref in dss.crls]
        kwargs["ocsps"] = [_stream_ocsp(ref) for ref in dss.ocsps]
    return lambda **extra: ValidationContext(**kwargs, **extra)


def _base_kwargs(trust: TrustSettings) -> dict[str, Any]:
    roots = [asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)) for cert in trust.roots]
    crls = [asn1_crl.CertificateList.load(der) for der in trust.crls]
    return {"trust_roots": roots, "crls": crls, "allow_fetching": False}


def _read_dss(reader: PdfFileReader) -> DocumentSecurityStore | None:
    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None


def _stream_crl(ref: Any) -> asn1_crl.CertificateList:
    return asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))


def _stream_ocsp(ref: Any) -> asn1_ocsp.OCSPResponse:
    return asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))


@dataclass(frozen=True)
class RevocationSources:
    """Which certificates validation can check for revocation offline: CRLs by issuer name (the
    caller's and the DSS's), OCSP responses by certificate serial (the DSS's)."""

    crl_issuers: frozenset[bytes]
    ocsp_serials: frozenset[int]

    def covers(self, cert: asn1_x509.Certificate) -> bool:
        """Whether some CRL of the certificate's issuer or an OCSP response for it is at hand."""
        return cert.issuer.dump() in self.crl_issuers or cert.serial_number in self.ocsp_serials


def revocation_sources(reader: PdfFileReader, trust: TrustSettings) -> RevocationSources:
    """Collect the revocation data at hand for one document."""
    crls = [asn1_crl.CertificateList.load(der) for der in trust.crls]
    serials: set[int] = set()
    dss = _read_dss(reader)
    if dss is not None:
        crls += [_stream_crl(ref) for ref in dss.crls]
        for ref in dss.ocsps:
            serials |= _ocsp_serials(_stream_ocsp(ref))
    issuers = frozenset(c["tbs_cert_list"]["issuer"].dump() for c in crls)
    return RevocationSources(issuers, frozenset(serials))


def _ocsp_serials(response: asn1_ocsp.OCSPResponse) -> set[int]:
    try:
        basic = response.basic_ocsp_response
        return {single["cert_id"]["serial_number"].native for single in basic["tbs_response_data"]["responses"]}
    except Exception:  # an unreadable response covers nothing
        return set()
