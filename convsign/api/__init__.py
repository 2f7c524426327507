"""The JSON API (`/api/v1`, Bearer tokens only) and the pages that manage tokens and webhooks."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The pages: a person's tokens on their profile, the administrator's webhooks.
pages = Blueprint("api_pages", __name__)

from convsign.api import bearer, conventions, decisions, delivery, misc, problems, slots, views  # noqa: E402,F401
