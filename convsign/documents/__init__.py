"""Documents: the content-addressed store of PDF revisions, and their downloads."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from convsign.documents import views  # noqa: E402,F401
