"""Role checks for views: who may open which page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask_login import current_user, login_required

from convsign.errors import Forbidden
from convsign.models import Role

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Require login and at least one of `roles` (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not any(current_user.has_role(role) for role in roles):
                raise Forbidden()
            return view(*args, **kwargs)

        return cast(F, login_required(wrapped))

    return decorator
