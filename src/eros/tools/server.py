"""The `eros-db` MCP server: every tool function registered with structured output (ARCHITECTURE D3).

A tool function raises `ErosError` for an expected failure; here it becomes the SDK's `ToolError`
whose text is the JSON `{"error": ..., "error_code": ...}` (the SDK prefixes it with the tool's
name). A database failure gets its code from `eros.db.faults` (DATABASE_LOCKED, DATABASE_CORRUPT,
…, with `retryable`), a number no database column holds is INVALID_NUMBER before the tool runs,
and anything else is a crash the SDK reports without its message or stack trace. Over stdio,
`eros.tools.stdio` bounds each request's size and depth.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

import anyio
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel

from eros.db.faults import database_fault
from eros.db.unit_of_work import DatabaseFailure
from eros.errors import ErosError
from eros.tools import captions, content, creators, schedules, send_types, volume
from eros.tools.env import ToolEnv, check_numbers
from eros.tools.errors import tool_error, tool_error_from_text
from eros.tools.stdio import serve_stdio

SERVER_NAME = "eros-db"
#: Where `streamable-http` listens unless told otherwise.
DEFAULT_HTTP_HOST = "127.0.0.1"
DEFAULT_HTTP_PORT = 8765
#: The SDK's auth settings name an issuer; EROS issues its own tokens (`eros tokens create`).
AUTH_ISSUER = "http://127.0.0.1/"
logger = logging.getLogger("eros.tools")

#: Every tool, in the order DOMAIN §13 lists them (get_captions is preflight's bundled caption call).
TOOLS: tuple[Callable[..., BaseModel], ...] = (
    creators.get_active_creators,
    creators.get_creator_profile,
    content.get_allowed_content_types,
    content.get_content_type_rankings,
    creators.get_persona_profile,
    volume.get_volume_config,
    volume.get_active_volume_triggers,
    volume.save_volume_triggers,
    volume.get_performance_trends,
    captions.get_batch_captions_by_content_types,
    captions.get_send_type_captions,
    captions.get_captions,
    captions.validate_caption_structure,
    send_types.get_send_types,
    send_types.get_send_types_constraints,
    schedules.save_schedule,
    schedules.get_schedules,
)


def bind(env: ToolEnv, fn: Callable[..., BaseModel]) -> Callable[..., BaseModel]:
    """`fn(env, **args)` as an MCP tool `tool(**args)`: same name, docstring and typed parameters."""
    signature = inspect.signature(fn, eval_str=True)
    parameters = list(signature.parameters.values())[1:]

    @functools.wraps(fn)
    def tool(**arguments: Any) -> BaseModel:
        try:
            check_numbers(arguments)
            return fn(env, **arguments)
        except DatabaseFailure as exc:
            fault = database_fault(exc)
            logger.error("database error in %s: %s (%s)", fn.__name__, fault.code, exc.__class__.__name__)
            raise tool_error(fault.code, fault.message, **fault.details) from None
        except ErosError as exc:
            raise tool_error(exc.code, exc.message, **exc.details) from None

    del tool.__wrapped__
    tool.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return tool


async def coded_tool_errors(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Give the SDK's own tool errors (bad argument types, unknown tool, crash) the JSON shape too,
    so every `isError` answer a client sees carries an `error_code`. Results arrive serialised."""
    result = await call_next(ctx)
    if ctx.method != "tools/call" or not isinstance(result, dict) or not result.get("isError"):
        return result
    blocks = result.get("content") or []
    text = " ".join(str(b.get("text", "")) for b in blocks if isinstance(b, dict))
    if '"error_code"' in text:
        return result
    name = str((ctx.params or {}).get("name", ""))
    error = tool_error_from_text(name, text)
    payload = json.dumps({"error": error.message, "error_code": error.code})
    return {**result, "content": [{"type": "text", "text": f"Error executing tool {name}: {payload}"}]}


def bound_tools(env: ToolEnv) -> list[Tool]:
    """Every tool over `env` as the SDK describes it: name, schemas and argument validation."""
    return [Tool.from_function(bind(env, fn), structured_output=True) for fn in TOOLS]


def build_server(
    env: ToolEnv,
    tools: Sequence[Tool] | None = None,
    *,
    token_verifier: TokenVerifier | None = None,
    scope: str = "",
) -> MCPServer:
    """A fresh `eros-db` server over `env` (serving `tools`, `bound_tools(env)` by default); nothing
    is shared between servers. With a `token_verifier`, its HTTP transport answers only bearer
    tokens it accepts holding `scope` (the SDK's own resource-server auth)."""
    auth = (
        AuthSettings(
            issuer_url=AUTH_ISSUER, resource_server_url=None, required_scopes=[scope] if scope else None
        )
        if token_verifier is not None
        else None
    )
    # log_level WARNING: the SDK configures root logging when nothing has; keep INFO noise out of the CLI.
    return MCPServer(
        SERVER_NAME,
        instructions="EROS data tools: creators, volume, captions, schedules.",
        log_level="WARNING",
        middleware=[coded_tool_errors],
        token_verifier=token_verifier,
        auth=auth,
        tools=list(tools) if tools is not None else bound_tools(env),
    )


def serve(
    make_server: Callable[[], MCPServer],
    transport: str = "stdio",
    *,
    host: str = DEFAULT_HTTP_HOST,
    port: int = DEFAULT_HTTP_PORT,
    transport_security: TransportSecuritySettings | None = None,
) -> None:
    """Run the server `make_server` builds until the client hangs up (stdout is the protocol);
    over HTTP with `transport_security`'s Host/Origin checks (the SDK's own only on loopback).

    Logging goes to stderr, set up before the server is built so nothing reaches stdout.
    """
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    server = make_server()
    if transport == "streamable-http":
        server.run("streamable-http", host=host, port=port, transport_security=transport_security)
    else:
        anyio.run(serve_stdio, server)
