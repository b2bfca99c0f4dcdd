"""Browser sessions, CSRF and security headers.

Sessions are Starlette's `SessionMiddleware`: the session is a JSON cookie signed with
itsdangerous (a timestamped HMAC), HttpOnly, SameSite=lax, with a max age; the server also keeps
the login's expiry inside the session and checks it against the installation's clock. The
secret is derived from the installation's signing key (HMAC with a fixed label), so there is no
second secret file to keep, it is never the signing key itself, and rotating the key ends every
session.

CSRF: a per-session random token (`csrf_token`), which every state-changing request carrying the
session cookie must send back as the `X-CSRF-Token` header or the `csrf_token` form field.
Requests authenticated by `Authorization: Bearer` carry no ambient credential and need none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eros.errors import ErosError
from eros.services.auth import same_secret
from eros.tools.stdio import MAX_REQUEST_BYTES
from eros.validation.certificate import PayloadTooLarge
from eros.web.errors import error_response

SESSION_COOKIE = "eros_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_SECRET_LABEL = b"eros-web-session-v1"
#: No inline script or style anywhere: the pages load their JavaScript and CSS from /static.
#: The one hash is that of the empty string: FullCalendar creates an EMPTY <style> element and
#: fills it through the CSSOM (insertRule), which a CSP allows once the empty element may exist.
#: Fonts may be data: URLs: FullCalendar's icon font (its toolbar arrows) is one, inside its CSS.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self'; style-src 'self' {EMPTY_STYLE_HASH}; img-src 'self' data:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


class CsrfFailed(ErosError):
    code = "CSRF_FAILED"


def session_secret(signing_key: bytes) -> str:
    """The session cookies' key: HMAC-SHA256(signing key, label) — one way, never printed."""
    return hmac.new(signing_key, SESSION_SECRET_LABEL, hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use); templates put it in forms and a meta tag."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def bearer(request: Request) -> str | None:
    """The `Authorization: Bearer …` token, if the request has one."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def check_csrf(request: Request) -> None:
    """A dependency of every route: CSRF_FAILED (403) for a state-changing request that carries the
    session cookie without this session's token. Bearer requests and cookie-less ones pass."""
    if request.method in SAFE_METHODS or bearer(request) is not None:
        return
    if SESSION_COOKIE not in request.cookies and request.url.path != "/login":
        return
    expected = request.session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not isinstance(expected, str) or not sent or not same_secret(sent, expected):
        raise CsrfFailed("missing or wrong CSRF token: reload the page and try again")


class BodyLimit:
    """Refuses a request body over `MAX_REQUEST_BYTES` (what the MCP transports accept) before a
    route reads it: a declared length at once; a body without one (chunked) is read up to the
    limit here and handed on whole, so no route ever sees part of an oversized body."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > self.limit:
                await _too_large(self.limit)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = bool(message.get("more_body"))
            if size > self.limit:
                await _too_large(self.limit)(scope, receive, send)
                return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _too_large_error(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the request body is over {limit} bytes", code="PAYLOAD_TOO_LARGE")


def _too_large(limit: int) -> ASGIApp:
    return error_response(_too_large_error(limit))


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every HTTP response (pages, API, static files)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, add_headers)
