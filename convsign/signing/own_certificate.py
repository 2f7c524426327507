"""A signatory's own certificate (.p12/.pfx, from a qualified provider or a token export): opened
for one signature, its chain checked against the instance's trust roots, then forgotten."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from convsign.errors import ValidationFailed
from convsign.pki.errors import Pkcs12Error
from convsign.pki.identity import SigningIdentity
from convsign.pki.pkcs12 import load_pkcs12
from convsign.trust import platform

MAX_PKCS12_BYTES = 256 * 1024


def messages() -> dict[str, str]:
    """French reasons for each refusal code of convsign.pki.pkcs12."""
    return {
        "pkcs12_malformed": _("Ce fichier n'est pas un certificat .p12 ou .pfx lisible."),
        "pkcs12_wrong_password": _("Le mot de passe du fichier de certificat est incorrect."),
        "pkcs12_no_key": _("Ce fichier ne contient pas de clé privée : exportez le certificat avec sa clé."),
        "pkcs12_key_mismatch": _("La clé et le certificat de ce fichier ne correspondent pas."),
        "pkcs12_unsupported_key": _("Le type de clé de ce certificat n'est pas pris en charge (RSA ou ECDSA "
                                    "attendu)."),
        "pkcs12_certificate_expired": _("Ce certificat n'est pas valide aujourd'hui (expiré ou pas encore "
                                        "valide)."),
        "pkcs12_key_usage": _("Ce certificat n'est pas un certificat de signature (usage « non-répudiation » "
                              "absent)."),
        "pkcs12_untrusted": _("Ce certificat n'est pas émis par une autorité reconnue par cette plateforme. "
                              "Demandez à l'administrateur d'ajouter son autorité racine."),
    }


def load(data: bytes, password: str, now: datetime) -> SigningIdentity:
    """The identity in the file, or ValidationFailed on the `certificate` field with the reason."""
    if len(data) > MAX_PKCS12_BYTES:
        raise ValidationFailed(_("Ce fichier est trop volumineux pour un certificat."), "certificate")
    try:
        return load_pkcs12(data, password, platform.trust_roots(), now)
    except Pkcs12Error as error:
        message = messages().get(error.code, _("Ce certificat ne peut pas être utilisé."))
        field = "password" if error.code == "pkcs12_wrong_password" else "certificate"
        raise ValidationFailed(message, field) from error
