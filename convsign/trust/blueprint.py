"""The `trust` blueprint; its routes attach to it in the feature's view modules, imported by convsign.web."""

from flask import Blueprint

bp = Blueprint("trust", __name__, url_prefix="/pki")
