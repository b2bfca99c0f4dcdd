"""The Jinja2 environment of the pages, and what every page is rendered with (who is acting, the
CSRF token the page's scripts send back, which controls the role may use)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from eros.access import Principal, Role, allows
from eros.web.deps import current_principal
from eros.web.security import csrf_token

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

#: A page's caller: the logged-in person (or token), or None; pages send None to the login page.
Caller = Annotated[Principal | None, Depends(current_principal)]


def to_login(request: Request) -> RedirectResponse:
    """Anonymous visitors of a page go to the login page, and come back after it."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def render(request: Request, template: str, principal: Principal | None, **context: Any) -> Response:
    """`template` with the principal, the CSRF token and a `can` map: `can.edit` (scheduler),
    `can.operate` (operator), `can.admin`. The server enforces the same roles on every call."""
    can = {
        "edit": allows(principal, Role.SCHEDULER),
        "operate": allows(principal, Role.OPERATOR),
        "admin": allows(principal, Role.ADMIN),
    }
    response: HTMLResponse = TEMPLATES.TemplateResponse(
        request,
        template,
        {"principal": principal, "csrf": csrf_token(request), "can": can, **context},
    )
    return response
