"""The OpenAPI links of the description: which answer names the next call of a workflow.

A generated client, or a fuzzer, follows them: create a draft, open it, read it, then act on one of
its signatories with the revision it read (`seen_sha256`). Each link names its target's parameters
by runtime expressions on the answer that carries it.
"""

from __future__ import annotations

from typing import Any

BODY_ID = "$response.body#/id"
FIRST_SLOT = "$response.body#/signatories/0/id"


def link(operation_id: str, description: str, parameters: dict[str, str], body: Any = None) -> dict[str, Any]:
    """One link to `operation_id`."""
    result: dict[str, Any] = {"operationId": operation_id, "description": description, "parameters": parameters}
    if body is not None:
        result["requestBody"] = body
    return result


def convention_links(source: str) -> dict[str, Any]:
    """From an answer whose body is a convention (`id`, `signatories`, `document_sha256`)."""
    ids = {"convention_id": BODY_ID}
    slot = {**ids, "slot_id": FIRST_SLOT}
    return {
        "GetConvention": link("getConvention", f"Relire la convention ({source}).", ids),
        "OpenConvention": link("openConvention", "L'ouvrir à la signature (brouillon).", ids),
        "DownloadDocument": link("downloadDocument", "Télécharger sa dernière révision.", ids),
        "ListDeliberations": link("listDeliberations", "Ses parties et leurs délibérations.", ids),
        "CreateSigningKey": link("createSigningKey", "Créer sa clé pour le premier signataire.", slot),
        "Sign": link(
            "sign",
            "Signer pour le premier signataire la révision lue.",
            slot,
            {"seen_sha256": "$response.body#/document_sha256"},
        ),
        "Refuse": link("refuse", "Refuser pour le premier signataire.", slot),
        "Reassign": link("reassign", "Réattribuer le premier signataire, s'il a refusé.", slot),
        "UploadDocument": link("uploadDocument", "Remplacer son texte par un PDF (brouillon).", ids),
        "RecordDeliberation": link(
            "recordDeliberation",
            "Enregistrer la délibération de sa première partie.",
            ids,
            {"party_id": "$response.body#/parties/0/id"},
        ),
        "CancelConvention": link("cancelConvention", "L'annuler.", ids),
        "CloseConvention": link("closeConvention", "La clore avec les signatures obtenues.", ids),
        "ExtendDeadline": link("extendDeadline", "Reporter sa date limite.", ids),
    }


def list_links() -> dict[str, Any]:
    """From the list of conventions: the first one."""
    first = {"convention_id": "$response.body#/conventions/0/id"}
    return {
        "GetConvention": link("getConvention", "Lire la première convention de la liste.", first),
        "OpenConvention": link("openConvention", "L'ouvrir à la signature (brouillon).", first),
    }


LINKS: dict[str, dict[str, dict[str, Any]]] = {
    "listConventions": {"200": list_links()},
    "createConvention": {"201": convention_links("le brouillon créé")},
    "openConvention": {"200": convention_links("ouverte")},
    "getConvention": {"200": convention_links("lue")},
    "uploadDocument": {"200": convention_links("son nouveau texte")},
    "reassign": {"200": convention_links("après la réattribution")},
    "extendDeadline": {"200": convention_links("après le report")},
}
