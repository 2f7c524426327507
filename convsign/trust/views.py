"""Public trust endpoints: CRLs at the stable URLs certificates name, the root, RFC 3161 timestamps.

They need no login: validators (Acrobat, pdfsig, other tools of the intercommunality) fetch them.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Response, render_template, request

from convsign.extensions import csrf, limiter
from convsign.pki.errors import TimestampRequestRejected
from convsign.pki.tsa import TimestampAuthority, rejection_response
from convsign.trust import platform
from convsign.trust.blueprint import bp

MAX_TIMESTAMP_REQUEST = 16 * 1024


def _der(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/crl")
def crl() -> Response:
    """The issuing CA's certificate revocation list (DER), listing every revoked signer certificate."""
    issuing_crl, _root_crl = platform.current_crls()
    return _der(issuing_crl, "application/pkix-crl", "convsign.crl")


@bp.get("/crl/root")
def root_crl() -> Response:
    """The root's CRL (DER), for the issuing CA."""
    _issuing_crl, root = platform.current_crls()
    return _der(root, "application/pkix-crl", "convsign-racine.crl")


@bp.get("/racine")
def root_page() -> str:
    """How to trust the instance's root in Acrobat and in poppler/NSS."""
    root = platform.pki().root
    fingerprint = root.fingerprint(hashes.SHA256()).hex(":")
    return render_template("trust/root.html", root=root, fingerprint=fingerprint.upper())


@bp.get("/racine.pem")
def root_pem() -> Response:
    """The root certificate, PEM."""
    return _der(platform.pki().root.public_bytes(Encoding.PEM), "application/x-pem-file", "convsign-racine.pem")


@bp.get("/racine.cer")
def root_der() -> Response:
    """The root certificate, DER (what Acrobat's import dialog expects)."""
    return _der(platform.pki().root.public_bytes(Encoding.DER), "application/pkix-cert", "convsign-racine.cer")


@bp.post("/horodatage")
@csrf.exempt
@limiter.limit("120 per minute")
def timestamp() -> Response:
    """RFC 3161 over HTTP: application/timestamp-query in, application/timestamp-reply out."""
    body = request.get_data(cache=False)[: MAX_TIMESTAMP_REQUEST + 1]
    if request.mimetype != "application/timestamp-query" or len(body) > MAX_TIMESTAMP_REQUEST:
        return Response("Requête d'horodatage RFC 3161 attendue (application/timestamp-query).\n", 415,
                        mimetype="text/plain")
    try:
        reply = TimestampAuthority(platform.pki()).respond(body)
    except TimestampRequestRejected as error:
        reply = rejection_response(error)
    return Response(reply, mimetype="application/timestamp-reply")
