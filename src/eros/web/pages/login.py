"""The login page. Its form posts to `POST /login` (the session layer's), with the CSRF token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from eros.web.pages.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login(
    request: Request,
    next_url: Annotated[str, Query(alias="next")] = "/",
    error: Annotated[str | None, Query()] = None,
) -> Response:
    # Only a local path may be the destination after login (no open redirect).
    target = next_url if next_url.startswith("/") and not next_url.startswith("//") else "/"
    return render(request, "login.html", None, title="Log in", next_url=target, error=error)
