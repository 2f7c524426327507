"""Errors of signing, each with a French message a signatory can act on."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from convsign.errors import Conflict, ConvsignError


class SigningRefused(ConvsignError):
    """The rules do not allow this signature now (stage, holder, deadline, deliberation...)."""

    status = 422


class DocumentChanged(Conflict):
    """Someone signed since the page was loaded: the signatory must see the new revision."""

    default_message = _l("Le document a changé depuis que vous l'avez ouvert (une autre signature a été "
                         "apposée) : rechargez-le, relisez-le, puis signez de nouveau.")


class WrongSigningPassphrase(ConvsignError):
    """The passphrase does not open the key; counted towards the lockout."""

    status = 422


class SigningKeyLocked(ConvsignError):
    """Too many wrong passphrases: the key rests for a while."""

    status = 429


class NoSigningKey(ConvsignError):
    """The person has no usable key for this office yet."""

    status = 422
    default_message = _l("Vous n'avez pas encore de clé de signature pour cette fonction : choisissez d'abord "
                         "votre phrase secrète de signature.")
