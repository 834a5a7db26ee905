"""The one access-control mechanism: every view declares who may use it, and one hook enforces it.

A view is decorated with ``@public`` or ``@allow(Role...)`` *below* its route decorator. The
``before_request`` hook reads that declaration for the matched endpoint: anonymous users are sent to
sign in, users whose role is not allowed get 403. An endpoint with no declaration is refused for
everyone, and ``create_app`` refuses to start while one exists, so a new route is covered by
construction.

Which *records* a user may see is decided by the scope functions in ``ewo_cases.scoping``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from ewo_cases.extensions import login_manager
from ewo_cases.models import Role

View = TypeVar("View", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "ewo_access"
PUBLIC = "public"
EVERY_ROLE = frozenset(Role)


def public(view: View) -> View:
    """Declare that anyone, signed in or not, may use ``view``."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def allow(*roles: Role) -> Callable[[View], View]:
    """Declare the roles that may use a view (place it below ``@bp.route``)."""
    if not roles:
        raise ValueError("allow() needs at least one role; use @public for open pages")
    allowed = frozenset(roles)

    def declare(view: View) -> View:
        setattr(view, ACCESS_ATTRIBUTE, allowed)
        return view

    return declare


def signed_in(view: View) -> View:
    """Declare that any signed-in user may use ``view``."""
    return allow(*EVERY_ROLE)(view)


def declaration(view: Callable[..., Any]) -> frozenset[Role] | str | None:
    """Return what a view declared, or None if it declared nothing."""
    return getattr(view, ACCESS_ATTRIBUTE, None)


def undeclared_endpoints(app: Flask) -> list[str]:
    """List the endpoints whose view declares no access rule."""
    return sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if declaration(app.view_functions[rule.endpoint]) is None
    )


def allowed_roles(app: Flask, endpoint: str) -> frozenset[Role] | str | None:
    """Return the declaration of ``endpoint`` (used by navigation to show only usable links)."""
    view = app.view_functions.get(endpoint)
    return declaration(view) if view else None


def can_use(endpoint: str) -> bool:
    """Whether the current user may use ``endpoint``."""
    rule = allowed_roles(current_app, endpoint)
    if rule == PUBLIC:
        return True
    return bool(rule) and current_user.is_authenticated and current_user.role in rule


def enforce_access() -> Any:
    """Apply the matched view's declaration to the current request (a ``before_request`` hook)."""
    if request.endpoint is None:  # no route matched; Flask answers 404 or 405
        return None
    rule = allowed_roles(current_app, request.endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s declares no access rule; refused", request.endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in rule:
        abort(403)
    return None


def make_static_view(app: Flask) -> None:
    """Declare Flask's built-in static endpoint public (it serves only the built front-end assets)."""
    app.view_functions["static"] = public(_static_view(app.view_functions["static"]))


def _static_view(serve: Callable[..., Any]) -> Callable[..., Any]:
    def static(filename: str) -> Any:
        return serve(filename=filename)

    return static
