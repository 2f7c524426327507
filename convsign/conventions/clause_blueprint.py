"""The clauses blueprint: a draft's clauses (coordinators) and the default models (administrators).

Its routes attach to it in convsign.conventions.clause_views, imported by convsign.web.
"""

from flask import Blueprint

bp = Blueprint("clauses", __name__)
