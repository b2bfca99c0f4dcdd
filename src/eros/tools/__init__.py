"""The eros-db tool set (DOMAIN §13): plain typed functions over a `ToolEnv`, served by
`eros.tools.server.build_server`. The package imports nothing heavy: a command that needs one
tool's constants does not load the MCP SDK."""

from __future__ import annotations

from eros.tools.env import ToolEnv

__all__ = ["ToolEnv"]
