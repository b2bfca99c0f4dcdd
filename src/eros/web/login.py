"""`POST /login` (the login form), `POST /logout`, and the JSON `/api/v1/session` for API clients.

A failed login says only that the name or password is wrong; after MAX_FAILED_LOGINS failures
from one client for one name within the window, further attempts answer 429 until it passes.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from eros.access import Principal
from eros.services.auth import MAX_PASSWORD_LENGTH, LoginFailed, LoginRateLimited
from eros.services.auth import login as check_login
from eros.web.deps import Caller, context, end_session, start_session
from eros.web.pages.login import local_path
from eros.web.security import csrf_token

router = APIRouter(tags=["session"])
#: Where a person lands after logging in (the pages engineer's roster).
HOME = "/"


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _login(request: Request, username: str, password: str) -> Principal:
    installation = context(request).container
    principal = check_login(installation.uow, installation.clock, username, password, client_address(request))
    start_session(request, principal)
    return principal


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = HOME,
) -> RedirectResponse:
    """The login form (its CSRF token is checked before this runs): on success, to the page the
    person came for; refused, back to the login page, which says why."""
    try:
        _login(request, username, password)
    except (LoginFailed, LoginRateLimited) as refused:
        query = urlencode({"error": refused.code, "next": local_path(next_url)})
        return RedirectResponse(f"/login?{query}", status_code=303)
    return RedirectResponse(local_path(next_url), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> RedirectResponse:
    end_session(request)
    return RedirectResponse("/login", status_code=303)


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


def whoami(request: Request, principal: Principal | None) -> dict[str, Any]:
    if principal is None:
        return {"authenticated": False, "csrf_token": csrf_token(request)}
    return {
        "authenticated": True,
        "name": principal.name,
        "role": principal.role.value,
        "kind": principal.kind,
        "csrf_token": csrf_token(request) if principal.kind == "user" else None,
    }


@router.post("/api/v1/session")
def api_login(request: Request, credentials: Credentials) -> dict[str, Any]:
    """Log in with JSON; the answer carries the CSRF token the session's later writes must send."""
    return whoami(request, _login(request, credentials.username, credentials.password))


@router.get("/api/v1/session")
async def api_whoami(request: Request, principal: Caller) -> dict[str, Any]:
    """Who the caller is (and the session's CSRF token), or `authenticated: false`."""
    return whoami(request, principal)


@router.delete("/api/v1/session")
def api_logout(request: Request) -> dict[str, bool]:
    end_session(request)
    return {"authenticated": False}
