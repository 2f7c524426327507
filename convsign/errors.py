"""Errors a person can act on, and the handlers that turn them into a page or a JSON problem."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError


class ConvsignError(Exception):
    """Base of the errors shown to people: a French message and an HTTP status."""

    status = 400
    default_message: Any = _l("La demande n'a pas pu être traitée.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message if message is not None else str(self.default_message)


class NotFound(ConvsignError):
    """The thing asked for does not exist, or the person may not know it exists."""

    status = 404
    default_message = _l("Cette page n'existe pas ou vous n'y avez pas accès.")


class Forbidden(ConvsignError):
    """The person is known but may not do this."""

    status = 403
    default_message = _l("Vous n'avez pas le droit de faire cela.")


class Conflict(ConvsignError):
    """The state changed under the person's feet: reload and try again."""

    status = 409
    default_message = _l("La situation a changé entre-temps : rechargez la page.")


class ValidationFailed(ConvsignError):
    """Input that breaks a rule of the domain; `field` names the form field at fault, if one is."""

    status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NulCharacter(ConvsignError):
    """A submitted value holds a NUL character: PostgreSQL text cannot store it, and no one types it."""

    status = 400
    default_message = _l(
        "Le texte envoyé contient un caractère nul (invisible), qui ne peut pas être enregistré : "
        "retirez-le et recommencez."
    )


def refuse_nul_characters() -> None:
    """Before any view: refuse a form, query or JSON value holding a NUL, rather than fail storing it."""
    values: list[Any] = list(request.values.values())
    if request.is_json:
        values.append(request.get_json(silent=True))
    if any(_holds_nul(value) for value in values):
        raise NulCharacter()


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def wants_json() -> bool:
    """Whether the caller is an API client rather than a browser."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_code(error: ConvsignError) -> str:
    """A stable snake_case code: the error's own `code` when it has one, else its class name."""
    code = getattr(error, "code", None)
    if isinstance(code, str) and code:
        return code
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def _problem(status: int, title: str, detail: str, code: str,
             headers: dict[str, str] | None = None) -> tuple[dict[str, Any], int, dict[str, str]]:
    """An RFC 9457 problem document, with the stable `code` the API's problems all carry."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code}
    return body, status, {**(headers or {}), "Content-Type": "application/problem+json"}


def http_headers(error: HTTPException) -> dict[str, str]:
    """The headers an HTTP error must carry besides its body's type: `Allow` on a 405 (RFC 9110)."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def register_error_handlers(app: Flask) -> None:
    """Map ConvsignError and HTTP errors to French pages or JSON problems."""

    @app.errorhandler(ConvsignError)
    def handle_convsign_error(error: ConvsignError) -> Any:
        if wants_json():
            return _problem(error.status, type(error).__name__, error.message, error_code(error))
        return render_template("errors/error.html", status=error.status, message=error.message), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS: no URL can be built for it
            return Response(str(_("Adresse de serveur non reconnue.")), 400, mimetype="text/plain")
        message = csrf_message() if isinstance(error, CSRFError) else http_message(status)
        headers = http_headers(error)
        if wants_json():
            return _problem(status, error.name, message, f"http_{status}", headers)
        return render_template("errors/error.html", status=status, message=message), status, headers


def csrf_message() -> str:
    """Why a form without a valid CSRF token was refused, and what to do."""
    return str(_("Le formulaire a expiré ou ne provient pas de convsign. Rien n'a été enregistré : "
                 "rechargez la page et recommencez."))


def http_message(status: int) -> str:
    """A French sentence for an HTTP status."""
    messages = {
        400: _("La demande est incorrecte. Si vous avez envoyé un formulaire, rechargez la page et recommencez."),
        401: _("Connectez-vous pour continuer."),
        403: _("Vous n'avez pas le droit d'accéder à cette page."),
        404: _("Cette page n'existe pas ou vous n'y avez pas accès."),
        405: _("Cette action n'est pas possible à cette adresse."),
        413: _("Le fichier envoyé est trop volumineux."),
        429: _("Trop de tentatives en peu de temps. Patientez une minute avant de réessayer."),
        500: _("Une erreur inattendue s'est produite. Rien n'a été enregistré ; réessayez plus tard."),
        503: _("Le service est momentanément indisponible."),
    }
    return str(messages.get(status, _("La demande n'a pas pu être traitée.")))
