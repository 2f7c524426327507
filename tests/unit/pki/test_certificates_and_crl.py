"""Signer certificates and the CRLs that revoke them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError

from convsign.pki.authority import Pki
from convsign.pki.certificates import SignerSubject, issue_signer_certificate
from convsign.pki.crl import RevokedCertificate, build_crl, build_root_crl
from convsign.pki.errors import CertificateRequestInvalid
from convsign.pki.keys import generate_signer_key

SUBJECT = SignerSubject(
    common_name="Jean-Pierre Dupré",
    given_name="Jean-Pierre",
    surname="Dupré",
    organisation="Commune de Loison-sous-Lens",
    office="Maire de Loison-sous-Lens",
    email="maire@loison-sous-lens.example",
)


def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@pytest.fixture(scope="module")
def mayor(pki: Pki) -> x509.Certificate:
    start = datetime.now(UTC) - timedelta(minutes=1)
    key = generate_signer_key()
    return issue_signer_certificate(
        pki, SUBJECT, key.public_key(), start, start + timedelta(days=90)
    )


def test_subject_names_the_person_and_the_office(mayor: x509.Certificate) -> None:
    def value(oid: x509.ObjectIdentifier) -> object:
        return mayor.subject.get_attributes_for_oid(oid)[0].value

    assert value(NameOID.COMMON_NAME) == "Jean-Pierre Dupré"
    assert value(NameOID.GIVEN_NAME) == "Jean-Pierre" and value(NameOID.SURNAME) == "Dupré"
    assert value(NameOID.TITLE) == "Maire de Loison-sous-Lens"
    assert value(NameOID.ORGANIZATION_NAME) == "Commune de Loison-sous-Lens"
    assert value(NameOID.EMAIL_ADDRESS) == "maire@loison-sous-lens.example"


def test_extensions_of_a_signer_certificate(pki: Pki, mayor: x509.Certificate) -> None:
    usage = mayor.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    points = mayor.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name == [x509.UniformResourceIdentifier(pki.settings.crl_url)]
    aki = mayor.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = pki.issuing.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert (mayor.not_valid_after_utc - mayor.not_valid_before_utc).days == 90


def test_validity_beyond_the_issuing_ca_is_refused(pki: Pki) -> None:
    start = datetime.now(UTC)
    with pytest.raises(CertificateRequestInvalid) as caught:
        issue_signer_certificate(
            pki,
            SUBJECT,
            generate_signer_key().public_key(),
            start,
            start + timedelta(days=365 * 11),
        )
    assert caught.value.details["reason"] == "validity_outside_issuing_ca"


def validate(pki: Pki, cert: x509.Certificate, crls: list[bytes]) -> object:
    context = ValidationContext(
        trust_roots=[asn1(pki.root)],
        crls=crls,
        allow_fetching=False,
        revocation_mode="require",
    )
    validator = CertificateValidator(
        asn1(cert), intermediate_certs=[asn1(pki.issuing)], validation_context=context
    )
    import asyncio

    return asyncio.run(validator.async_validate_usage({"non_repudiation"}))


def test_crl_lists_a_revoked_serial_and_validation_sees_it(
    pki: Pki, mayor: x509.Certificate
) -> None:
    now = datetime.now(UTC)
    revoked = RevokedCertificate(mayor.serial_number, now, x509.ReasonFlags.superseded)
    der = build_crl(pki, [revoked], now, now + timedelta(days=7))
    crl = x509.load_der_x509_crl(der)
    assert crl.is_signature_valid(pki.issuing.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(mayor.serial_number)
    assert entry is not None
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.name == "superseded"
    )
    root_crl = build_root_crl(pki, now, now + timedelta(days=30))
    assert x509.load_der_x509_crl(root_crl).is_signature_valid(pki.root.public_key())
    with pytest.raises(RevokedError):
        validate(pki, mayor, [der, root_crl])


def test_empty_crls_cover_the_whole_chain(pki: Pki, mayor: x509.Certificate) -> None:
    now = datetime.now(UTC)
    crls = [
        build_crl(pki, [], now, now + timedelta(days=7)),
        build_root_crl(pki, now, now + timedelta(days=7)),
    ]
    path = validate(pki, mayor, crls)  # "require": fails if the issuing CA had no CRL
    assert path is not None


def test_crl_numbers_grow(pki: Pki) -> None:
    now = datetime.now(UTC)
    first = x509.load_der_x509_crl(build_crl(pki, [], now, now + timedelta(days=1)))
    later = now + timedelta(seconds=1)
    second = x509.load_der_x509_crl(build_crl(pki, [], later, later + timedelta(days=1)))

    def number(crl: x509.CertificateRevocationList) -> int:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number

    assert number(second) > number(first)
