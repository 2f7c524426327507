"""The `signing` blueprint; its routes attach to it in the feature's view modules, imported by convsign.web."""

from flask import Blueprint

bp = Blueprint("signing", __name__)
