"""The login page. Its form posts to `POST /login` (the session layer's), with the CSRF token; a
refused login comes back here with the refusal's code, which the page words (never free text
from the address, so a link cannot make the page say anything else)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from eros.web.pages.templating import render

router = APIRouter(include_in_schema=False)

#: What the page says for each refusal `POST /login` sends back.
REFUSALS = {
    "LOGIN_FAILED": "Wrong user name or password.",
    "LOGIN_RATE_LIMITED": "Too many failed attempts for this name: wait a few minutes and try again.",
}


def local_path(url: str) -> str:
    """`url` if it is a path on this site, else the roster: no open redirect after logging in."""
    return url if url.startswith("/") and not url.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login(
    request: Request,
    next_url: Annotated[str, Query(alias="next")] = "/",
    error: Annotated[str | None, Query()] = None,
) -> Response:
    return render(
        request,
        "login.html",
        None,
        title="Log in",
        next_url=local_path(next_url),
        error=REFUSALS.get(error or ""),
    )
