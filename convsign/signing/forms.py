"""Signing forms: they check shape; convsign.signing services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Regexp

from convsign.signing.keys import MIN_PASSPHRASE_LENGTH

SHA256_HEX = Regexp(r"^[0-9a-f]{64}$")


class SignForm(FlaskForm):
    """Confirm a signature with the signing passphrase, naming the revision seen."""

    seen_sha256 = HiddenField(validators=[DataRequired(), SHA256_HEX])
    approve = BooleanField(_l("J'ai lu la convention et j'approuve son contenu."),
                           validators=[DataRequired(message=_l("Cochez cette case pour confirmer votre approbation."))])
    passphrase = PasswordField(_l("Phrase secrète de signature"), validators=[InputRequired(), Length(max=1000)])


class FirstSignForm(FlaskForm):
    """A first signature: choose the signing passphrase (typed twice) and sign, in one submit."""

    seen_sha256 = HiddenField(validators=[DataRequired(), SHA256_HEX])
    approve = BooleanField(_l("J'ai lu la convention et j'approuve son contenu."),
                           validators=[DataRequired(message=_l("Cochez cette case pour confirmer votre approbation."))])
    passphrase = PasswordField(
        _l("Choisissez votre phrase secrète de signature"),
        validators=[InputRequired(), Length(min=MIN_PASSPHRASE_LENGTH, max=1000)],
        description=_l("Au moins %(n)s caractères, autre que votre mot de passe. Personne ne pourra signer à votre "
                       "place sans elle.", n=MIN_PASSPHRASE_LENGTH))
    confirm = PasswordField(_l("Confirmez la phrase secrète"), validators=[
        InputRequired(), EqualTo("passphrase", message=_l("Les deux saisies diffèrent."))])


class CreateKeyForm(FlaskForm):
    """Choose the signing passphrase, which protects the key the server generates."""

    passphrase = PasswordField(
        _l("Phrase secrète de signature"), validators=[InputRequired(), Length(min=MIN_PASSPHRASE_LENGTH, max=1000)],
        description=_l("Au moins %(n)s caractères, différente de votre mot de passe de connexion. Personne d'autre, "
                       "pas même l'administrateur, ne pourra signer à votre place sans elle ; si vous l'oubliez, "
                       "votre certificat sera révoqué et un nouveau vous sera délivré.", n=MIN_PASSPHRASE_LENGTH))
    confirm = PasswordField(_l("Confirmez la phrase secrète"), validators=[
        InputRequired(), EqualTo("passphrase", message=_l("Les deux saisies diffèrent."))])


class ChangePassphraseForm(FlaskForm):
    """Change the signing passphrase (the key is re-encrypted)."""

    current = PasswordField(_l("Phrase secrète actuelle"), validators=[InputRequired(), Length(max=1000)])
    passphrase = PasswordField(_l("Nouvelle phrase secrète"),
                               validators=[InputRequired(), Length(min=MIN_PASSPHRASE_LENGTH, max=1000)])
    confirm = PasswordField(_l("Confirmez la nouvelle phrase secrète"), validators=[
        InputRequired(), EqualTo("passphrase", message=_l("Les deux saisies diffèrent."))])


class Pkcs12Form(FlaskForm):
    """Sign once with one's own certificate file (.p12/.pfx); nothing of it is kept."""

    seen_sha256 = HiddenField(validators=[DataRequired(), SHA256_HEX])
    approve = BooleanField(_l("J'ai lu la convention et j'approuve son contenu."),
                           validators=[DataRequired(message=_l("Cochez cette case pour confirmer votre approbation."))])
    certificate = FileField(_l("Fichier de certificat (.p12 ou .pfx)"), validators=[FileRequired()])
    password = PasswordField(_l("Mot de passe du fichier"), validators=[Length(max=1000)])


class RevokeKeyForm(FlaskForm):
    """Revoke one's own certificate (forgotten passphrase, lost trust)."""

    confirm = BooleanField(_l("Je comprends que ce certificat ne pourra plus servir à signer."),
                           validators=[DataRequired(message=_l("Cochez cette case pour confirmer."))])
