"""The JSON schemas of the OpenAPI document (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""

from __future__ import annotations

from typing import Any

from convsign.conventions import circuit, layout
from convsign.deliberations import gate
from convsign.models import ConventionKind, ConventionStatus, ObjectiveDomain
from convsign.routing import MAX_ID


def ref(name: str) -> dict[str, str]:
    """A reference to one of the schemas below."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: list[str] | None = None, *, closed: bool = True) -> dict[str, Any]:
    """An object schema; `required` defaults to every property (answers always carry them all)."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


def nullable(kind: str, **extra: Any) -> dict[str, Any]:
    """A value of `kind`, or null."""
    return {"type": [kind, "null"], **extra}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
# What the API reads: ids and counts fit an INTEGER column; a required text holds a visible character.
# An optional property given null is read as absent.
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
OPTIONAL_ID = {**ID, "type": ["integer", "null"]}
COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
# The server refuses a NUL character anywhere (400), and reads as blank what Python's str.strip()
# removes: the patterns spell both out, character by character, so that any regex engine agrees.
BLANKS = "".join(f"\\u{code:04x}" for code in range(0x10000) if chr(code).isspace())
NO_NUL = "^[^\\u0000]*$"
VISIBLE = f"^[^\\u0000]*[^{BLANKS}\\u0000][^\\u0000]*$"
FREE_TEXT = {"type": "string", "pattern": NO_NUL}
OPTIONAL_STRING = {"type": ["string", "null"], "pattern": NO_NUL}
LAID_OUT_TEXT = {
    "type": ["string", "null"],
    "maxLength": 20000,
    "pattern": layout.WORDS_PATTERN,
    "description": f"Aucun mot (suite sans espace, tabulation ni saut de ligne) de plus de {layout.LONGEST_WORD} "
    "caractères.",
}


def text(max_length: int, **extra: Any) -> dict[str, Any]:
    """A required text: at least one character that is not blank, no NUL, `max_length` at most."""
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": VISIBLE, **extra}


def optional_text(max_length: int, **extra: Any) -> dict[str, Any]:
    """An optional text, possibly empty, no NUL."""
    return {"type": ["string", "null"], "maxLength": max_length, "pattern": NO_NUL, **extra}


def base64(max_length: int) -> dict[str, Any]:
    """Bytes in standard base64 (RFC 4648), `max_length` characters at most."""
    return {"type": "string", "minLength": 4, "maxLength": max_length,
            "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"}


# A certificate of 16 KiB and a signature value of 2 KiB at most (convsign.api.token_signing).
MAX_CERTIFICATE_B64, MAX_SIGNATURE_B64 = 4 * (16384 // 3 + 1), 4 * (2048 // 3 + 1)
DATE, DATETIME = {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
ORG_REF = obj({"organisation_id": OPTIONAL_ID, "siren": OPTIONAL_STRING}, [])
SLOT_STATUSES = [circuit.WAITING, circuit.TO_SIGN, circuit.BLOCKED, circuit.SIGNED, circuit.REFUSED]
DELIBERATION_STATES = [gate.MISSING, gate.NOT_EXECUTORY, gate.UNCONFIRMED, gate.EXECUTORY, gate.NOT_REQUIRED]

DELIBERATION = {
    "session_date": DATE,
    "convocation_date": nullable("string", format="date"),
    "members_in_office": INTEGER,
    "members_present": INTEGER,
    "members_represented": INTEGER,
    "secretary": STRING,
    "rapporteur": STRING,
    "subject": STRING,
    "unanimous": BOOLEAN,
    "votes_for": nullable("integer"),
    "votes_against": nullable("integer"),
    "abstentions": nullable("integer"),
    "number": STRING,
    "actes_identifier": nullable("string", description="062-216205237-20221213-del-131222-330-DE"),
    "sent_on": nullable("string", format="date"),
    "acknowledged_on": nullable("string", format="date"),
    "published_on": nullable("string", format="date"),
    "publication_mode": nullable("string"),
    "executory_on": nullable("string", format="date"),
}

DELIBERATION_INPUT = {
    "session_date": DATE,
    "convocation_date": nullable("string", format="date"),
    "members_in_office": COUNT,
    "members_present": COUNT,
    "members_represented": nullable("integer", minimum=0, maximum=MAX_ID),
    "secretary": optional_text(200),
    "rapporteur": optional_text(200),
    "subject": text(2000),
    "unanimous": {"type": ["boolean", "null"], "default": False},
    "votes_for": nullable("integer", minimum=0, maximum=MAX_ID),
    "votes_against": nullable("integer", minimum=0, maximum=MAX_ID),
    "abstentions": nullable("integer", minimum=0, maximum=MAX_ID),
    "number": optional_text(50),
    "actes_identifier": optional_text(64, description="062-216205237-20221213-del-131222-330-DE"),
    "sent_on": nullable("string", format="date"),
    "acknowledged_on": nullable("string", format="date"),
    "published_on": nullable("string", format="date"),
    "publication_mode": optional_text(100),
    "executory_on": nullable("string", format="date"),
}

SIGNATURE_REPORT = obj(
    {
        "field": STRING,
        "kind": {"enum": ["approval", "certification", "doc_timestamp"]},
        "signer": nullable("string"),
        "issuer": nullable("string"),
        "signing_time": nullable("string"),
        "timestamp": nullable("string"),
        "intact": BOOLEAN,
        "valid": BOOLEAN,
        "trusted": BOOLEAN,
        "revoked_at": nullable("string"),
        "covers_whole_document": BOOLEAN,
        "revision": nullable("integer"),
        "modified_after": STRING,
        "pades_level": nullable("string"),
        "error": nullable("string"),
        "problem": nullable("string"),
        "modified_fields": {"type": "array", "items": STRING},
        "platform_seal": BOOLEAN,
        "revocation_checked": BOOLEAN,
    },
    closed=False,
)

SCHEMAS: dict[str, Any] = {
    "Problem": obj(
        {
            "type": STRING,
            "title": STRING,
            "status": INTEGER,
            "detail": {"type": "string", "description": "En français."},
            "code": {"type": "string", "description": "Code stable, snake_case (signing_refused, document_changed…)."},
            "errors": {"type": "array", "items": obj({"field": nullable("string"), "message": STRING})},
        },
        ["type", "title", "status", "detail", "code"],
    ),
    "ConventionSummary": obj(
        {
            "id": INTEGER,
            "title": STRING,
            "status": {"enum": [s.value for s in ConventionStatus]},
            "signed": {"type": "integer", "description": "Signataires ayant signé."},
            "total": {"type": "integer", "description": "Signataires en tout."},
        }
    ),
    "ConventionList": obj({"conventions": {"type": "array", "items": ref("ConventionSummary")}}),
    "Signatory": obj(
        {
            "id": INTEGER,
            "name": nullable("string", description="Qui a signé ou refusé ; sinon le titulaire du jour."),
            "organisation": STRING,
            "office": STRING,
            "stage": INTEGER,
            "status": {"enum": SLOT_STATUSES},
            "signed_at": nullable("string", format="date-time"),
            "reason": nullable("string", description="Le motif du refus."),
            "blocked_reason": nullable("string", description="Pourquoi ce signataire ne peut pas signer encore."),
        }
    ),
    "Deliberation": obj(DELIBERATION),
    "Party": obj(
        {
            "id": INTEGER,
            "organisation_id": INTEGER,
            "organisation": STRING,
            "siren": STRING,
            "deliberation_required": BOOLEAN,
            "waiver_reason": nullable("string"),
            "deliberation_state": {"enum": DELIBERATION_STATES},
            "deliberation": {"oneOf": [ref("Deliberation"), {"type": "null"}]},
        }
    ),
    "PartyList": obj({"parties": {"type": "array", "items": ref("Party")}}),
    "Convention": obj(
        {
            "id": INTEGER,
            "title": STRING,
            "status": {"enum": [s.value for s in ConventionStatus]},
            "signed": INTEGER,
            "total": INTEGER,
            "reference": STRING,
            "kind": {"enum": [k.value for k in ConventionKind]},
            "start": DATE,
            "end": DATE,
            "deadline": nullable("string", format="date"),
            "revision_count": INTEGER,
            "document_sha256": {**nullable("string"), "description": "SHA-256 de la dernière révision."},
            "opened_at": nullable("string", format="date-time"),
            "completed_at": nullable("string", format="date-time"),
            "closed_reason": nullable("string"),
            "parties": {"type": "array", "items": ref("Party")},
            "signatories": {"type": "array", "items": ref("Signatory")},
        }
    ),
    "ConventionInput": obj(
        {
            "title": text(300),
            "reference": text(100),
            "kind": {"enum": [k.value for k in ConventionKind], "default": "ctg"},
            "start": DATE,
            "end": {**DATE, "description": "Postérieure au début."},
            "deadline": nullable("string", format="date", description="Date limite de signature (facultative)."),
            "preamble": LAID_OUT_TEXT,
            "steering_committee": LAID_OUT_TEXT,
            "lead": {**ORG_REF, "description": "L'intercommunalité porteuse ; par défaut celle du coordinateur."},
            "parties": {
                "type": "array",
                "items": {
                    **obj(
                        {
                            "organisation_id": OPTIONAL_ID,
                            "siren": OPTIONAL_STRING,
                            "deliberation_required": {
                                "type": ["boolean", "null"],
                                "description": "Par défaut : oui pour communes et EPCI.",
                            },
                            "waiver_reason": optional_text(
                                2000, description="Obligatoire pour dispenser de délibération."
                            ),
                        },
                        [],
                    )
                },
            },
            "objectives": {
                "type": "object",
                "description": "Domaine → liste d'objectifs.",
                "propertyNames": {"enum": [d.value for d in ObjectiveDomain]},
                "additionalProperties": {"type": "array", "items": FREE_TEXT},
            },
            "signatories": {
                "type": "array",
                "items": obj(
                    {
                        "office_id": OPTIONAL_ID,
                        "user_email": optional_text(320, description="Une personne qui exerce une fonction."),
                        "stage": {"type": ["integer", "null"], "minimum": 1, "maximum": 9},
                    },
                    [],
                ),
            },
        },
        ["title", "reference", "start", "end", "parties", "signatories"],
    ),
    "PassphraseInput": obj({"passphrase": text(1000, minLength=12)}),
    "SigningKey": obj({"certificate_sha256": SHA256, "serial": STRING, "not_after": DATETIME}),
    "SignatureInput": obj({"passphrase": text(1000), "seen_sha256": SHA256}),
    "SignatureResult": obj({"revision": INTEGER, "sha256": SHA256}),
    "TokenPreparationInput": obj({"seen_sha256": SHA256, "certificates": {
        "type": "array", "items": base64(MAX_CERTIFICATE_B64), "minItems": 1, "maxItems": 7,
        "description": "Certificats X.509 en DER, base64 : le sien en premier, puis ses autorités."}}),
    "TokenPreparation": obj({
        "preparation": STRING, "digest": STRING, "digest_algorithm": {"const": "sha256"},
        "signature_algorithm": {"enum": ["ecdsa-sha256", "rsa-pkcs1v15-sha256"]}, "expires_at": DATETIME,
        "revocation_checked": BOOLEAN}),
    "TokenSignatureInput": obj({"preparation": text(100), "signature": base64(MAX_SIGNATURE_B64)}),
    "RefusalInput": obj({"reason": text(2000)}),
    "RefusalResult": obj({"id": INTEGER, "status": {"const": circuit.REFUSED}, "reason": STRING}),
    "ReassignInput": obj({"office_id": ID}),
    "CancelInput": obj({"reason": text(2000)}),
    "CloseInput": obj({"note": text(2000)}),
    "DeadlineInput": obj(
        {"deadline": {**DATE, "description": "Ni passée, ni avant la date limite actuelle."}}
    ),
    "DeliberationInput": obj(
        {"party_id": ID, **DELIBERATION_INPUT},
        ["party_id", "session_date", "members_in_office", "members_present", "subject"],
    ),
    "VerificationReport": obj(
        {
            "valid": BOOLEAN,
            "level": nullable("string"),
            "revision_count": nullable("integer"),
            "only_timestamps": BOOLEAN,
            "unsigned_changes_after_last_signature": BOOLEAN,
            "unsigned_revisions_after_last_signature": INTEGER,
            "bytes_after_last_revision": BOOLEAN,
            "verdict": STRING,
            "unsigned_changes": nullable("string"),
            "signatures": {"type": "array", "items": SIGNATURE_REPORT},
            "convention": {
                "oneOf": [
                    {"type": "null"},
                    obj(
                        {
                            "id": nullable("integer"),
                            "title": nullable("string"),
                            "revision": nullable("integer"),
                            "revision_count": nullable("integer"),
                            "is_current": BOOLEAN,
                        }
                    ),
                ]
            },
        }
    ),
}
