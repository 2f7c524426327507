"""The `outbox` blueprint; its routes attach to it in the feature's view modules, imported by convsign.web."""

from flask import Blueprint

bp = Blueprint("outbox", __name__, url_prefix="/admin/courriels")
