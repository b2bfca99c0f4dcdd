"""`create_app(container)`: the one ASGI app `eros serve` runs.

Layers, outermost first: the catch-all guard (no trace ever leaves), security headers, the body
limit, the signed session cookie, the `/mcp` dispatch (the eros-db MCP server's streamable-HTTP app with
its own bearer auth), then FastAPI's routes: the pages, `/login` and `/logout`, `/api/v1/…`,
`/healthz`, `/readyz`, `/metrics`, `/static`. Every route also runs the CSRF check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from eros.bootstrap import Container
from eros.config import WebSettings, load_web_settings
from eros.web import errors, health, login, mcp, pages
from eros.web.api import router as api_router
from eros.web.deps import WebContext
from eros.web.security import SESSION_COOKIE, BodyLimit, SecurityHeaders, check_csrf, session_secret

STATIC_DIR = Path(__file__).parent / "static"
MCP_PATH = "/mcp"
API_VERSION = "1"


class McpDispatch:
    """Requests for `/mcp` go to the MCP app (which checks its bearer tokens); the rest go on."""

    def __init__(self, app: ASGIApp, mcp_app: ASGIApp) -> None:
        self.app = app
        self.mcp_app = mcp_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == MCP_PATH or path.startswith(MCP_PATH + "/")):
            await self.mcp_app(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(
    container: Container, *, web: WebSettings | None = None, bind_host: str = "127.0.0.1"
) -> FastAPI:
    """The web app over `container`'s installation; `bind_host` is where `eros serve` listens (the
    MCP endpoint's Host/Origin check accepts it besides the loopback names)."""
    settings = web or load_web_settings(container.settings.environ)
    server = mcp.protected_tool_server(container)
    mcp_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=mcp.host_checks(bind_host, settings.allowed_hosts),
        host=bind_host,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with server.session_manager.run():  # a mounted app's own lifespan never runs
            yield

    app = FastAPI(
        title="EROS",
        version=API_VERSION,
        summary="Weekly send schedules and the rollout machinery around them.",
        dependencies=[Depends(check_csrf)],
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.eros = WebContext(container=container, web=settings)
    errors.install(app)
    app.include_router(health.router)
    app.include_router(login.router)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(McpDispatch, mcp_app=mcp_app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(container.signing_key),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(errors.CatchAll)
    return app
