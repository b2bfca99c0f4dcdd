"""The ports the pipelines depend on; adapters in `eros.clients` and `eros.adapters` implement them."""

from __future__ import annotations

from typing import Any, Protocol

ToolArgs = dict[str, Any]
ToolResult = dict[str, Any]


class ToolClient(Protocol):
    """A way to call the eros-db tools (ARCHITECTURE D3): in-process, stdio, or wrapped with retries.

    `call_tool` returns the tool's structured result as a dict and raises
    `eros.errors.ToolCallError` (its `code` is the tool's `error_code`) for a tool error,
    or `eros.errors.TransportError` when the server cannot be reached. `calls` counts
    every call made through this client, successful or not.
    """

    calls: int

    async def call_tool(self, name: str, arguments: ToolArgs | None = None) -> ToolResult: ...
