"""The eros-db tool set (DOMAIN §13): plain typed functions over a `ToolEnv`, served by `build_server`."""

from __future__ import annotations

from eros.tools.env import ToolEnv
from eros.tools.server import SERVER_NAME, TOOLS, build_server

__all__ = ["SERVER_NAME", "TOOLS", "ToolEnv", "build_server"]
