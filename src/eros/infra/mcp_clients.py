"""Clients of the eros-db tools (ARCHITECTURE D3): in-process (default) and stdio, one protocol.

Both implement `eros.ports.ToolClient`: `call_tool` returns the tool's structured result as a dict,
raises `ToolCallError` carrying the tool's `error_code`, or `TransportError` (MCP_UNAVAILABLE)
when the server cannot be reached. `calls` counts every call, successful or not.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent
from pydantic import ValidationError

from eros.errors import ToolCallError, TransportError
from eros.ports import ToolArgs, ToolResult
from eros.tools.env import ToolEnv
from eros.tools.errors import tool_error_from_text
from eros.tools.server import bound_tools, build_server

#: Why no client caches tool answers (docs/DECISIONS.md, benchmarks/mcp_reference_reads.py):
#: what `eros mcp cache stats|clear` answers for runbook §3.2 and §8.
NO_CACHE_REASON = (
    "the send types are the rulebook's constants (no database read at all); the content "
    "dictionary is only read inside per-creator queries; in a weekly fan-out v5 repeats no "
    "identical tool call and v4 repeats 3 per creator-week, two of them its validation re-reading "
    "the vault and rankings that must never be stale"
)

#: The values of EROS_MCP_TRANSPORT (`eros.bootstrap.connect_client` picks the client).
TRANSPORTS = ("inprocess", "stdio")
DEFAULT_STDIO_TIMEOUT_S = 60.0


def result_payload(tool: str, result: CallToolResult) -> ToolResult:
    """The structured content of a successful call, or the tool's error raised as ToolCallError."""
    text = " ".join(block.text for block in result.content if isinstance(block, TextContent))
    if result.is_error:
        raise tool_error_from_text(tool, text)
    if result.structured_content is not None:
        return dict(result.structured_content)
    try:
        value = json.loads(text)
    except ValueError:
        return {"result": text}
    return value if isinstance(value, dict) else {"result": value}


class ErosClient:
    """The ToolClient port plus one convenience method per tool (keyword arguments as the tool takes them)."""

    def __init__(self) -> None:
        self.calls = 0

    async def call_tool(self, name: str, arguments: ToolArgs | None = None) -> ToolResult:
        self.calls += 1
        return await self._call(name, dict(arguments or {}))

    async def _call(self, name: str, arguments: ToolArgs) -> ToolResult:
        raise NotImplementedError

    async def list_tools(self) -> list[dict[str, Any]]:
        """Name, description and schemas of every tool the server offers."""
        raise NotImplementedError

    async def _named(self, name: str, arguments: Mapping[str, Any]) -> ToolResult:
        return await self.call_tool(name, {k: v for k, v in arguments.items() if v is not None})

    async def get_active_creators(self, limit: int = 100, offset: int = 0, **filters: Any) -> ToolResult:
        return await self._named("get_active_creators", {"limit": limit, "offset": offset, **filters})

    async def get_creator_profile(self, creator_id: str, **include: Any) -> ToolResult:
        return await self._named("get_creator_profile", {"creator_id": creator_id, **include})

    async def get_allowed_content_types(self, creator_id: str) -> ToolResult:
        return await self._named("get_allowed_content_types", {"creator_id": creator_id})

    async def get_content_type_rankings(self, creator_id: str) -> ToolResult:
        return await self._named("get_content_type_rankings", {"creator_id": creator_id})

    async def get_persona_profile(self, creator_id: str) -> ToolResult:
        return await self._named("get_persona_profile", {"creator_id": creator_id})

    async def get_volume_config(self, creator_id: str, week_start: str, **overrides: Any) -> ToolResult:
        return await self._named(
            "get_volume_config", {"creator_id": creator_id, "week_start": week_start, **overrides}
        )

    async def get_active_volume_triggers(self, creator_id: str) -> ToolResult:
        return await self._named("get_active_volume_triggers", {"creator_id": creator_id})

    async def save_volume_triggers(self, creator_id: str, triggers: list[dict[str, Any]]) -> ToolResult:
        return await self._named("save_volume_triggers", {"creator_id": creator_id, "triggers": triggers})

    async def get_performance_trends(self, creator_id: str, period: str = "14d") -> ToolResult:
        return await self._named("get_performance_trends", {"creator_id": creator_id, "period": period})

    async def get_batch_captions_by_content_types(
        self,
        creator_id: str,
        content_types: list[str],
        limit_per_type: int = 5,
        schedulable_type: str | None = None,
    ) -> ToolResult:
        return await self._named(
            "get_batch_captions_by_content_types",
            {
                "creator_id": creator_id,
                "content_types": content_types,
                "limit_per_type": limit_per_type,
                "schedulable_type": schedulable_type,
            },
        )

    async def get_send_type_captions(self, creator_id: str, send_type: str, limit: int = 10) -> ToolResult:
        return await self._named(
            "get_send_type_captions", {"creator_id": creator_id, "send_type": send_type, "limit": limit}
        )

    async def get_captions(self, creator_id: str, **selection: Any) -> ToolResult:
        return await self._named("get_captions", {"creator_id": creator_id, **selection})

    async def validate_caption_structure(self, caption_text: str, send_type: str) -> ToolResult:
        return await self._named(
            "validate_caption_structure", {"caption_text": caption_text, "send_type": send_type}
        )

    async def get_send_types(self, page_type: str | None = None) -> ToolResult:
        return await self._named("get_send_types", {"page_type": page_type})

    async def get_send_types_constraints(self, page_type: str | None = None) -> ToolResult:
        return await self._named("get_send_types_constraints", {"page_type": page_type})

    async def save_schedule(
        self,
        creator_id: str,
        week_start: str,
        items: list[dict[str, Any]],
        validation_certificate: dict[str, Any] | None = None,
        **summary: Any,
    ) -> ToolResult:
        return await self._named(
            "save_schedule",
            {
                "creator_id": creator_id,
                "week_start": week_start,
                "items": items,
                "validation_certificate": validation_certificate,
                **summary,
            },
        )

    async def get_schedules(self, **filters: Any) -> ToolResult:
        return await self._named("get_schedules", filters)


def refused(tool: str, error: MCPError) -> ToolCallError | TransportError:
    """A JSON-RPC error the server answered with: its `data.error_code` when it has one (a
    request over eros-db's size or depth limit), else the server failing as a whole."""
    data = error.data if isinstance(error.data, dict) else {}
    if "error_code" not in data:
        return TransportError(f"eros-db refused {tool}: {error.message}")
    return ToolCallError(error.message, code=str(data["error_code"]), details={"tool": tool})


def _tool_info(tool: Any) -> dict[str, Any]:
    return {
        "name": tool.name,
        "description": tool.description or "",
        "input_schema": tool.input_schema,
        "output_schema": tool.output_schema,
    }


class InProcessClient(ErosClient):
    """The default: the `eros-db` server's own tools, called in this process (no subprocess, no JSON-RPC).

    A call validates its arguments with the tool's SDK metadata, as the server does, then runs
    the tool function here and dumps its answer model as the server's structured content. It
    skips what only a remote client needs (issue 14): a worker thread per call, the answer as
    JSON text beside the structured content, and re-validating the model the tool just built.
    Errors read as over stdio: the tool's code, VALIDATION_ERROR, UNKNOWN_TOOL, INTERNAL_ERROR.
    """

    def __init__(self, env: ToolEnv) -> None:
        super().__init__()
        tools = bound_tools(env)
        self.tools = {tool.name: tool for tool in tools}
        self.server = build_server(env, tools)

    async def _call(self, name: str, arguments: ToolArgs) -> ToolResult:
        tool = self.tools.get(name)
        if tool is None:
            raise tool_error_from_text(name, f"Unknown tool: {name}")
        try:
            validated = tool.fn_metadata.validate_arguments(arguments)
        except ValidationError as exc:
            raise tool_error_from_text(name, f"Error executing tool {name}: {exc}") from None
        try:
            result = tool.fn(**validated)
        except ToolError as exc:
            raise tool_error_from_text(name, f"Error executing tool {name}: {exc}") from None
        except Exception:  # a crash: its text stays here, as the server keeps it
            raise ToolCallError(
                f"Tool {name} failed unexpectedly", code="INTERNAL_ERROR", details={"tool": name}
            ) from None
        return dict(result.model_dump(mode="json", by_alias=True))

    async def list_tools(self) -> list[dict[str, Any]]:
        return [_tool_info(tool) for tool in await self.server.list_tools()]


def default_server_command() -> tuple[str, list[str]]:
    """`python -m eros.tools` with this interpreter: the stdio server without relying on PATH."""
    return sys.executable, ["-m", "eros.tools"]


class StdioClient(ErosClient):
    """The SDK's client over stdio against `eros mcp serve` (or any command serving eros-db).

    Inside `async with` one server process serves every call; otherwise each call starts one.
    A server that cannot be started, dies or does not answer within `timeout_s` is a TransportError.
    """

    def __init__(
        self,
        command: str | None = None,
        args: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        timeout_s: float = DEFAULT_STDIO_TIMEOUT_S,
    ) -> None:
        super().__init__()
        default_command, default_args = default_server_command()
        self.params = StdioServerParameters(
            command=command or default_command,
            args=list(args if args is not None else ([] if command else default_args)),
            env=dict(env if env is not None else os.environ),
            cwd=cwd,
        )
        self.timeout_s = timeout_s
        self._client: Client | None = None

    async def __aenter__(self) -> StdioClient:
        # No cancel scope around entering: the client opens task groups that must outlive it;
        # the handshake is bounded by `read_timeout_seconds` instead.
        client = Client(self.params, read_timeout_seconds=self.timeout_s, mode="legacy")
        try:
            await client.__aenter__()
        except Exception as exc:
            raise self._unavailable(exc) from None
        self._client = client
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        client, self._client = self._client, None
        if client is not None:
            # Closing a dead server's pipes has nothing left to report.
            with contextlib.suppress(Exception):
                await client.__aexit__(exc_type, exc, tb)

    def _unavailable(self, exc: BaseException) -> TransportError:
        return TransportError(
            f"eros-db server {self.params.command} {' '.join(self.params.args)} is unavailable: "
            f"{exc.__class__.__name__}",
        )

    def _one_shot(self) -> StdioClient:
        """A client for one request outside `async with`: the same server command, its own process."""
        return StdioClient(self.params.command, self.params.args, self.params.env, None, self.timeout_s)

    async def _call(self, name: str, arguments: ToolArgs) -> ToolResult:
        if self._client is not None:
            return await self._call_on(self._client, name, arguments)
        async with self._one_shot() as one:
            assert one._client is not None
            return await one._call_on(one._client, name, arguments)

    async def _call_on(self, client: Client, name: str, arguments: ToolArgs) -> ToolResult:
        try:
            result = await client.call_tool(name, arguments, read_timeout_seconds=self.timeout_s)
        except MCPError as exc:
            raise refused(name, exc) from None
        except Exception as exc:
            raise self._unavailable(exc) from None
        return result_payload(name, result)

    async def list_tools(self) -> list[dict[str, Any]]:
        if self._client is None:
            async with self._one_shot() as one:
                return await one.list_tools()
        try:
            listed = await self._client.list_tools()
        except Exception as exc:
            raise self._unavailable(exc) from None
        return [_tool_info(tool) for tool in listed.tools]
