"""FastAPI dependencies: the installation, the acting principal and the role a route needs.

A request is authenticated by `Authorization: Bearer <API token>` or by the session cookie of a
logged-in person (re-checked against the users table, so disabling a user ends their sessions
at their next request). `require(role)` answers 401 for anonymous callers and 403 for a role
below the route's; the routes' needed roles are read back by the role-matrix test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from eros.access import Principal, Role, allows
from eros.bootstrap import Container
from eros.clock import iso_z
from eros.config import WebSettings
from eros.errors import ErosError
from eros.services.auth import Forbidden, NotAuthenticated, active_user, verify_token
from eros.web.security import bearer, csrf_token

SESSION_USER = "user"
SESSION_EXPIRES = "expires_at"


class TokenInvalid(ErosError):
    code = "TOKEN_INVALID"


@dataclass(frozen=True)
class WebContext:
    """What every request handler reaches: the installation and the web settings."""

    container: Container
    web: WebSettings


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.eros
    return ctx


def container(request: Request) -> Container:
    return context(request).container


def start_session(request: Request, principal: Principal) -> None:
    """After a login: a fresh session (a new CSRF token) naming the person, with its expiry."""
    ctx = context(request)
    request.session.clear()
    request.session[SESSION_USER] = principal.name
    expires = ctx.container.clock.now() + timedelta(seconds=ctx.web.session_max_age_s)
    request.session[SESSION_EXPIRES] = iso_z(expires)
    csrf_token(request)


def end_session(request: Request) -> None:
    request.session.clear()


def session_principal(request: Request) -> Principal | None:
    """The logged-in person, or None (no session, expired, or the user is gone or disabled)."""
    name = request.session.get(SESSION_USER)
    if not isinstance(name, str):
        return None
    ctx = context(request)
    expires = request.session.get(SESSION_EXPIRES)
    if not isinstance(expires, str) or expires <= iso_z(ctx.container.clock.now()):
        request.session.pop(SESSION_USER, None)
        return None
    return active_user(ctx.container.uow, name)


async def current_principal(request: Request) -> Principal | None:
    """Who is calling: the bearer token's principal (TOKEN_INVALID when it is not a live token),
    else the session's person, else None (anonymous)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = bearer(request)
    ctx = context(request)
    if token is not None:
        principal = verify_token(ctx.container.uow, ctx.container.clock, token)
        if principal is None:
            raise TokenInvalid("the bearer token is unknown or revoked")
    else:
        principal = session_principal(request)
    request.state.principal = principal
    return principal


RoleCheck = Callable[..., Awaitable[Principal]]


def require(role: Role) -> RoleCheck:
    """A dependency: the principal if it holds `role` (or higher); 401 anonymous, 403 below."""

    async def check(principal: Annotated[Principal | None, Depends(current_principal)]) -> Principal:
        if principal is None:
            raise NotAuthenticated("log in or send an API token (Authorization: Bearer …)")
        if not allows(principal, role):
            raise Forbidden(f"this needs the {role.value} role; {principal.name} is {principal.role.value}")
        return principal

    check.required_role = role  # type: ignore[attr-defined]  # read by the role-matrix test
    return check


#: The dependency each role's routes declare (one instance per role, so routes share it).
VIEWER = require(Role.VIEWER)
SCHEDULER = require(Role.SCHEDULER)
OPERATOR = require(Role.OPERATOR)
ADMIN = require(Role.ADMIN)

#: What route parameters declare (FastAPI's Annotated style).
Installation = Annotated[Container, Depends(container)]
Caller = Annotated[Principal | None, Depends(current_principal)]
AsViewer = Annotated[Principal, Depends(VIEWER)]
AsScheduler = Annotated[Principal, Depends(SCHEDULER)]
AsOperator = Annotated[Principal, Depends(OPERATOR)]
AsAdmin = Annotated[Principal, Depends(ADMIN)]
