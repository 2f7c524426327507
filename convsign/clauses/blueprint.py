"""The clauses blueprint: a draft's clauses (coordinators) and the default models (administrators)."""

from flask import Blueprint

bp = Blueprint("clauses", __name__)

from convsign.clauses import views  # noqa: E402,F401
