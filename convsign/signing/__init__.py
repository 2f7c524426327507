"""Signatures: each signatory's key, signing one slot, completion to PAdES B-LTA, the PKI's pages."""

from flask import Blueprint

bp = Blueprint("signing", __name__)

from convsign.signing import views  # noqa: E402,F401
