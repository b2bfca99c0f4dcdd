"""The server-rendered pages (a bare login form until the pages are built on top of it)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from eros.web.security import CSRF_FIELD, csrf_token

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    token = escape(csrf_token(request))
    return HTMLResponse(
        "<!doctype html><title>EROS login</title>"
        '<form method="post" action="/login">'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">'
        '<input name="username" autocomplete="username">'
        '<input name="password" type="password" autocomplete="current-password">'
        "<button>Log in</button></form>"
    )
