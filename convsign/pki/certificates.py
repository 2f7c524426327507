"""Signer certificates issued by the internal CA: one person, in one office, for one mandate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from convsign.pki import builders
from convsign.pki.authority import Pki
from convsign.pki.errors import CertificateRequestInvalid


@dataclass(frozen=True)
class SignerSubject:
    """Who the certificate names: the person, their office and the organisation they sign for."""

    common_name: str
    organisation: str
    given_name: str | None = None
    surname: str | None = None
    office: str | None = None  # X.520 title, e.g. "Maire de Loison-sous-Lens"
    email: str | None = None
    country: str = "FR"


def subject_name(subject: SignerSubject) -> x509.Name:
    """The X.509 distinguished name of a signer."""
    optional = [
        (NameOID.GIVEN_NAME, subject.given_name),
        (NameOID.SURNAME, subject.surname),
        (NameOID.TITLE, subject.office),
        (NameOID.EMAIL_ADDRESS, subject.email),
    ]
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, subject.country),
        builders.name_attribute(NameOID.ORGANIZATION_NAME, subject.organisation),
        builders.name_attribute(NameOID.COMMON_NAME, subject.common_name),
    ]
    attributes += [builders.name_attribute(oid, value) for oid, value in optional if value]
    return x509.Name(attributes)


def _check_request(pki: Pki, public_key: object, not_before: datetime, not_after: datetime) -> None:
    """Refuse keys we cannot sign with and validities the issuing CA cannot vouch for."""
    if not isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise CertificateRequestInvalid(reason="unsupported_key_type")
    if not_after <= not_before:
        raise CertificateRequestInvalid(reason="empty_validity")
    if not_before < pki.issuing.not_valid_before_utc or not_after > pki.issuing.not_valid_after_utc:
        raise CertificateRequestInvalid(
            reason="validity_outside_issuing_ca",
            issuing_not_after=pki.issuing.not_valid_after_utc.isoformat(),
        )


def _subject_alt_name(subject: SignerSubject) -> list[tuple[x509.ExtensionType, bool]]:
    """An rfc822Name SAN when an email is known (mail clients and NSS look there, not in the DN)."""
    if not subject.email:
        return []
    return [(x509.SubjectAlternativeName([x509.RFC822Name(subject.email)]), False)]


def issue_signer_certificate(
    pki: Pki,
    subject: SignerSubject,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """Issue a signature certificate (digitalSignature + nonRepudiation) valid for the given window.

    No extended key usage is set: an absent EKU is accepted by pyHanko, NSS/pdfsig and Acrobat for
    document signatures, whereas a wrong one is refused by some of them.
    """
    _check_request(pki, public_key, not_before, not_after)
    builder = builders.base_builder(
        subject_name(subject), pki.issuing.subject, public_key, not_before, not_after
    )
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (builders.key_usage(signing=True), True),
        (builders.crl_distribution_point(pki.settings.crl_url), False),
        *_subject_alt_name(subject),
    ]
    return builders.issue_certificate(pki.issuing_key(), builder, extensions)
