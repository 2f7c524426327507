"""The `conventions` blueprint; its routes attach to it in the feature's view modules, imported by convsign.web."""

from flask import Blueprint

bp = Blueprint("conventions", __name__, url_prefix="/conventions")
