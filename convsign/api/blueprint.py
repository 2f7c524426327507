"""The `api` blueprint; its routes attach to it in the feature's view modules, imported by convsign.web."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The pages: a person's tokens on their profile, the administrator's webhooks.
pages = Blueprint("api_pages", __name__)
