"""Every failure as JSON `{"error": sentence, "error_code": CODE}` with its HTTP status, never a trace.

The codes are the tools' and the CLI's (`eros.errors`); the status says what kind of failure it
is: 400 bad input, 401 no or bad credentials, 403 not allowed, 404 unknown thing, 409 a conflict
with the stored state (a person's edit, a stale revision, a locked week), 422 a request or a week
that fails validation, 429 too many failed logins, 503 the database is unavailable.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eros.db.faults import database_fault, is_database_failure
from eros.errors import DatabaseError, ErosError

logger = logging.getLogger("eros.web")

UNAUTHORIZED = frozenset({"AUTH_REQUIRED", "LOGIN_FAILED", "TOKEN_INVALID", "SESSION_EXPIRED"})
FORBIDDEN = frozenset({"FORBIDDEN", "CSRF_FAILED"})
CONFLICTS = frozenset(
    {
        "SCHEDULE_EDITED",
        "CONFLICT",
        "SCHEDULE_LOCKED",
        "INVALID_STATUS_TRANSITION",
        "REVISION_IS_CURRENT",
        "USER_EXISTS",
        "TOKEN_EXISTS",
        "ROLLOUT_STARTED",
        "ROLLOUT_NOT_STARTED",
        "ROLLOUT_COMPLETE",
        "ALREADY_DEPRECATED",
        "CREATOR_INACTIVE",
    }
)
REJECTED = frozenset({"SCHEDULE_REJECTED", "VALIDATION_ERROR", "RESTORE_NOT_CONFIRMED", "REASON_REQUIRED"})
HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


def status_for(error: ErosError) -> int:
    code = error.code
    if isinstance(error, DatabaseError):
        return 503
    if code in UNAUTHORIZED:
        return 401
    if code in FORBIDDEN:
        return 403
    if code.endswith("_NOT_FOUND"):
        return 404
    if code in CONFLICTS:
        return 409
    if code in REJECTED:
        return 422
    if code == "LOGIN_RATE_LIMITED":
        return 429
    if code == "PAYLOAD_TOO_LARGE":
        return 413
    return 400


def error_body(error: ErosError) -> dict[str, Any]:
    """The error's sentence, code and details (violations, retryable) — nothing else."""
    return error.as_dict()


def error_response(error: ErosError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status_for(error) == 401 else None
    return JSONResponse(error_body(error), status_code=status_for(error), headers=headers)


async def _eros_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ErosError)
    return error_response(exc)


async def _invalid_request(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"where": ".".join(str(part) for part in e.get("loc", ())), "problem": e.get("msg", "")}
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"where": "request", "problem": "invalid"}
    body = {
        "error": f"invalid request: {first['where']}: {first['problem']}",
        "error_code": "VALIDATION_ERROR",
        "problems": problems,
    }
    return JSONResponse(body, status_code=422)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, f"HTTP_{exc.status_code}")
    body = {"error": str(exc.detail), "error_code": code}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def unexpected_response(exc: Exception) -> JSONResponse:
    """A database fault keeps its code (503); anything else is a bug: logged by type, answered bare."""
    if is_database_failure(exc):
        return error_response(database_fault(exc))
    logger.error("unexpected %s in a web request", type(exc).__name__)
    return JSONResponse({"error": "internal error", "error_code": "INTERNAL_ERROR"}, status_code=500)


class CatchAll:
    """The outermost guard: an exception no handler took becomes `unexpected_response` and stops
    here (Starlette's own last-resort handler would re-raise it into the server's log as a trace)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:  # too late for another answer: the client sees a cut response
                logger.error("unexpected %s after the response started", type(exc).__name__)
                return
            await unexpected_response(exc)(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ErosError, _eros_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
