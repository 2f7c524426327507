"""The `home` blueprint; its routes attach to it in the feature's view modules, imported by convsign.web."""

from flask import Blueprint

bp = Blueprint("home", __name__)
