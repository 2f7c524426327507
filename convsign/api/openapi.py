"""The OpenAPI 3.1 description of the API, built as a dict and served at /api/v1/openapi.json.

A test checks it against the app's routes (every route and method described, nothing more) and
real answers against its schemas, so it stays true.
"""

from __future__ import annotations

from typing import Any

from convsign.api.openapi_links import LINKS
from convsign.api.openapi_schemas import ID, SCHEMAS, ref

DESCRIPTION = (
    "L'API de convsign : créer et suivre des conventions, signer, refuser, télécharger les documents signés et "
    "leur dossier de preuve, vérifier un PDF. Elle applique les mêmes règles que les pages.\n\n"
    "**Authentification** : uniquement par jeton personnel, `Authorization: Bearer <jeton>` (Mon profil › Jetons "
    "d'accès, ou `flask --app app token create EMAIL`). Le jeton agit avec les droits de son titulaire, et rien "
    "de plus. Le cookie de session n'est jamais lu : un appel sans jeton valide reçoit 401 même depuis un "
    "navigateur connecté ; c'est pourquoi l'API n'a pas de jeton CSRF.\n\n"
    "**Erreurs** : documents « problem » (RFC 9457), message en français dans `detail`, code stable dans `code`, "
    "champs en cause dans `errors`.\n\n"
    "**Contrat** : les schémas disent ce que le serveur vérifie. `null` n'est admis que là où un schéma "
    "le dit, et vaut alors absent ; une propriété qu'un schéma ne déclare pas est refusée (422) ; un "
    "texte ne contient jamais de caractère nul (400) ; un identifiant au-delà de 2 147 483 647 ne désigne "
    "rien (404). Les règles qui dépendent de l'état de la convention ou de la date du jour sont dites "
    "dans le résumé de chaque opération (réponse 409 ou 422). Les `links` des réponses enchaînent un "
    "parcours : créer un brouillon, l'ouvrir, le relire, signer.\n\n"
    "**Webhooks** : `signature.created`, `signatory.refused`, `convention.completed`, `convention.cancelled`, "
    "envoyés en POST JSON, signés `X-Convsign-Signature: t=<horodatage>,v1=<HMAC-SHA256 hex de « t.corps »>`."
)

CONVENTION_ID = {"name": "convention_id", "in": "path", "required": True, "schema": ID}
SLOT_ID = {
    "name": "slot_id",
    "in": "path",
    "required": True,
    "schema": ID,
    "description": "L'identifiant du signataire (`signatories[].id`).",
}
ERROR_TEXT = {
    400: "Requête incorrecte : paramètre de requête répété ou mal formé, ou texte contenant un caractère nul.",
    401: "Jeton absent, inconnu, révoqué ou expiré.",
    403: "Le jeton n'en a pas le droit (rôle, ou signataire d'une autre personne).",
    404: "Inconnu, ou invisible pour le titulaire du jeton.",
    409: "L'état a changé entre-temps.",
    413: "Corps trop volumineux.",
    415: "Type de corps inattendu.",
    422: "Une règle refuse la demande ; `detail` dit pourquoi.",
    429: "Trop de tentatives en peu de temps (clé de signature bloquée un moment, ou trop de vérifications).",
}


def problems(*statuses: int) -> dict[str, Any]:
    """The problem answers of an operation (401 always, unless public)."""
    return {
        str(s): {"description": ERROR_TEXT[s], "content": {"application/problem+json": {"schema": ref("Problem")}}}
        for s in sorted({401, *statuses})
    }


def json_answer(status: int, schema: str, text: str) -> dict[str, Any]:
    """A JSON answer."""
    return {str(status): {"description": text, "content": {"application/json": {"schema": ref(schema)}}}}


def json_input(schema: str) -> dict[str, Any]:
    """A required JSON body (a text holding a NUL character is refused: 400)."""
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


PDF_ANSWER = {
    "200": {
        "description": "Le PDF.",
        "headers": {
            "X-Content-SHA256": {
                "description": "SHA-256 de la révision (documents de convention).",
                "schema": {"type": "string"},
            }
        },
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
PDF_INPUT = {
    "required": True,
    "description": "Le PDF lui-même, en octets (pas en base64 ni en formulaire).",
    "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary", "contentMediaType": "application/pdf"}}
    },
}


def operation(
    op_id: str,
    summary: str,
    answers: dict[str, Any],
    *,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation; one that reads a body or a query may answer 400 (a NUL character, a repeated value)."""
    if body or any(p["in"] == "query" for p in params or []):
        answers = {**answers, **problems(400)}
    result: dict[str, Any] = {"operationId": op_id, "summary": summary, "responses": answers}
    if params:
        result["parameters"] = params
    if body:
        result["requestBody"] = body
    return result


def convention_paths() -> dict[str, Any]:
    """Conventions: list, create, read, text, open, downloads."""
    ids = [CONVENTION_ID]
    return {
        "/conventions": {
            "get": operation(
                "listConventions",
                "Les conventions visibles du titulaire du jeton.",
                {**json_answer(200, "ConventionList", "La liste."), **problems()},
            ),
            "post": operation(
                "createConvention",
                "Créer un brouillon (coordinateur, administrateur).",
                {**json_answer(201, "Convention", "Le brouillon créé."), **problems(403, 415, 422)},
                body=json_input("ConventionInput"),
            ),
        },
        "/conventions/{convention_id}": {
            "get": operation(
                "getConvention",
                "Une convention, ses parties et ses signataires.",
                {**json_answer(200, "Convention", "La convention."), **problems(404)},
                params=ids,
            )
        },
        "/conventions/{convention_id}/document": {
            "get": operation(
                "downloadDocument",
                "La dernière révision du document, ou `?revision=N`.",
                {**PDF_ANSWER, **problems(404)},
                params=[
                    *ids,
                    {
                        "name": "revision",
                        "in": "query",
                        "required": False,
                        "schema": ID,
                        "description": "Le numéro de la révision, une seule fois ; par défaut la dernière.",
                    },
                ],
            ),
            "post": operation(
                "uploadDocument",
                "Remplacer le texte généré par ce PDF (brouillon ; coordinateur, administrateur).",
                {**json_answer(200, "Convention", "Le brouillon."), **problems(403, 404, 409, 413, 415, 422)},
                params=ids,
                body=PDF_INPUT,
            ),
        },
        "/conventions/{convention_id}/open": {
            "post": operation(
                "openConvention",
                "Figer le texte et ouvrir la première étape (brouillon qui a au moins un signataire ; "
                "coordinateur, administrateur).",
                {**json_answer(200, "Convention", "La convention ouverte."), **problems(403, 404, 409, 422)},
                params=ids,
            )
        },
        "/conventions/{convention_id}/evidence": {
            "get": operation(
                "downloadEvidence", "Le dossier de preuve scellé.", {**PDF_ANSWER, **problems(404)}, params=ids
            )
        },
    }


def slot_paths() -> dict[str, Any]:
    """A signatory's own actions, and the coordinator's reassignment."""
    ids = [CONVENTION_ID, SLOT_ID]
    base = "/conventions/{convention_id}/signatories/{slot_id}"
    return {
        f"{base}/signing-key": {
            "post": operation(
                "createSigningKey",
                "Créer sa clé de signature pour la fonction de ce signataire (son titulaire ou son délégataire, "
                "une fois par fonction).",
                {**json_answer(201, "SigningKey", "La clé et son certificat."), **problems(403, 404, 415, 422)},
                params=ids,
                body=json_input("PassphraseInput"),
            )
        },
        f"{base}/signature": {
            "post": operation(
                "sign",
                "Signer, en nommant la révision lue (`seen_sha256`) : le titulaire du signataire ou son "
                "délégataire, à son étape, avec la phrase secrète de sa clé.",
                {
                    **json_answer(201, "SignatureResult", "La nouvelle révision."),
                    **problems(403, 404, 409, 415, 422, 429),
                },
                params=ids,
                body=json_input("SignatureInput"),
            )
        },
        f"{base}/token-signature/preparation": {
            "post": operation(
                "prepareTokenSignature",
                "Préparer une signature avec son propre certificat (carte ou clé USB) : vérifie les règles, la "
                "révision lue et le certificat (chaîne de confiance, usage, validité, titulaire, révocation), puis "
                "rend l'empreinte à signer par le jeton (`digest`, base64) ; la préparation vaut 10 minutes.",
                {
                    **json_answer(201, "TokenPreparation", "L'empreinte à signer et l'identifiant de la préparation."),
                    **problems(400, 403, 404, 409, 415, 422),
                },
                params=ids,
                body=json_input("TokenPreparationInput"),
            )
        },
        f"{base}/token-signature": {
            "post": operation(
                "finishTokenSignature",
                "Terminer la signature préparée avec la valeur de signature brute du jeton (`signature`, base64 : "
                "ECDSA DER ou RSA PKCS#1 v1.5) : horodatage, intégration, validation, nouvelle révision. 409 si une "
                "autre signature a été apposée depuis la préparation : préparez de nouveau.",
                {
                    **json_answer(201, "SignatureResult", "La nouvelle révision."),
                    **problems(400, 403, 404, 409, 415, 422),
                },
                params=ids,
                body=json_input("TokenSignatureInput"),
            )
        },
        f"{base}/refusal": {
            "post": operation(
                "refuse",
                "Refuser de signer, avec un motif (le titulaire du signataire ou son délégataire, à son étape).",
                {**json_answer(201, "RefusalResult", "Le refus enregistré."), **problems(403, 404, 415, 422)},
                params=ids,
                body=json_input("RefusalInput"),
            )
        },
        f"{base}/reassignment": {
            "post": operation(
                "reassign",
                "Réattribuer un signataire qui a refusé (coordinateur).",
                {**json_answer(200, "Convention", "La convention."), **problems(403, 404, 415, 422)},
                params=ids,
                body=json_input("ReassignInput"),
            )
        },
    }


def decision_paths() -> dict[str, Any]:
    """The coordinator's decisions on a convention, and deliberations."""
    ids = [CONVENTION_ID]
    answer = {**json_answer(200, "Convention", "La convention."), **problems(403, 404, 415, 422)}
    return {
        "/conventions/{convention_id}/cancel": {
            "post": operation(
                "cancelConvention",
                "Annuler un brouillon ou une convention en circulation, avec un motif (coordinateur, administrateur).",
                answer,
                params=ids,
                body=json_input("CancelInput"),
            )
        },
        "/conventions/{convention_id}/close": {
            "post": operation(
                "closeConvention",
                "Clore avec les signatures obtenues, après des refus (coordinateur, administrateur).",
                answer,
                params=ids,
                body=json_input("CloseInput"),
            )
        },
        "/conventions/{convention_id}/deadline": {
            "post": operation(
                "extendDeadline",
                "Reporter la date limite d'une convention en circulation ou expirée : la nouvelle date n'est ni "
                "passée, ni avant l'actuelle (coordinateur, administrateur).",
                answer,
                params=ids,
                body=json_input("DeadlineInput"),
            )
        },
        "/conventions/{convention_id}/deliberations": {
            "get": operation(
                "listDeliberations",
                "Les parties et leurs délibérations.",
                {**json_answer(200, "PartyList", "Les parties."), **problems(404)},
                params=ids,
            ),
            "post": operation(
                "recordDeliberation",
                "Enregistrer (ou corriger) la délibération d'une partie (le coordinateur de la convention, un "
                "administrateur, ou les signataires et agents de la partie).",
                {**json_answer(201, "Party", "La partie et sa délibération."), **problems(403, 404, 415, 422)},
                params=ids,
                body=json_input("DeliberationInput"),
            ),
        },
    }


def other_paths() -> dict[str, Any]:
    """Verification and this document."""
    return {
        "/verify": {
            "post": operation(
                "verify",
                "Vérifier les signatures d'un PDF (le rapport de `flask verify --json`).",
                {**json_answer(200, "VerificationReport", "Le rapport."), **problems(413, 415, 422, 429)},
                body=PDF_INPUT,
            )
        },
        "/openapi.json": {
            "get": {
                **operation(
                    "openapi",
                    "Cette description (sans jeton).",
                    {
                        "200": {
                            "description": "La description OpenAPI 3.1.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                ),
                "security": [],
            }
        },
    }


def with_links(paths: dict[str, Any]) -> dict[str, Any]:
    """The paths, each answer carrying the links to the operations its body names (OpenAPI links)."""
    for item in paths.values():
        for op in item.values():
            for status, links in LINKS.get(op["operationId"], {}).items():
                op["responses"][status]["links"] = links
    return paths


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "convsign", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": with_links({**convention_paths(), **slot_paths(), **decision_paths(), **other_paths()}),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "Un jeton personnel `cvs_…`."}
            },
            "schemas": SCHEMAS,
        },
    }
