"""A tool error on the wire: JSON `{"error": ..., "error_code": ...}`, written here and read back here.

The server writes it (`tool_error`) and its middleware reads the SDK's own error texts back
(`tool_error_from_text`); the clients read what arrives the same way. One module owns both
directions so the server and the clients share it without importing each other.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from eros.errors import ToolCallError


def tool_error(code: str, message: str, **details: Any) -> ToolError:
    """The SDK's ToolError whose text is the JSON a client turns back into a ToolCallError."""
    return ToolError(json.dumps({"error": message, "error_code": code, **details}, default=str))


def tool_error_from_text(tool: str, text: str) -> ToolCallError:
    """Rebuild the tool's error from the text the SDK sends: `Error executing tool NAME: {json}`."""
    start = text.find("{")
    if start >= 0:
        try:
            payload = json.loads(text[start:])
        except ValueError:
            payload = None
        if isinstance(payload, dict) and "error_code" in payload:
            details = {k: v for k, v in payload.items() if k not in ("error", "error_code")}
            return ToolCallError(
                str(payload.get("error", text)),
                code=str(payload["error_code"]),
                details={"tool": tool, **details},
            )
    if text.startswith("Unknown tool"):
        return ToolCallError(text, code="UNKNOWN_TOOL", details={"tool": tool})
    if text.rstrip() == f"Error executing tool {tool}" or text.startswith(
        f"Error executing tool {tool}: Error"
    ):
        return ToolCallError(
            f"Tool {tool} failed unexpectedly", code="INTERNAL_ERROR", details={"tool": tool}
        )
    message = text.removeprefix(f"Error executing tool {tool}: ")
    return ToolCallError(message, code="VALIDATION_ERROR", details={"tool": tool})
