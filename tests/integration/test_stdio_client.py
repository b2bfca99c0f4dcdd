"""A real `eros mcp serve` subprocess over stdio: list tools, call some, a tool error, a dead server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from eros.errors import ToolCallError, TransportError
from eros.infra.mcp_clients import StdioClient
from eros.tools.stdio import MAX_REQUEST_BYTES

NOW = "2026-01-04T12:00:00Z"


def eros_command() -> str:
    """The `eros` console script installed next to this interpreter."""
    script = Path(sys.executable).parent / "eros"
    if not script.exists():
        pytest.skip("the eros console script is not installed next to the interpreter")
    return str(script)


async def test_eros_mcp_serve_answers_over_stdio(sample_db_path: Path) -> None:
    env = {**os.environ, "EROS_DB_PATH": str(sample_db_path), "EROS_NOW": NOW}
    env.pop("EROS_DB_URL", None)
    async with StdioClient(eros_command(), ["mcp", "serve"], env=env, timeout_s=30) as client:
        tools = {tool["name"]: tool for tool in await client.list_tools()}
        roster = await client.get_active_creators(limit=1)
        profile = await client.get_creator_profile("alexia", include_analytics=False)
        constraints = await client.get_send_types_constraints("free")
        with pytest.raises(ToolCallError) as caught:
            await client.get_volume_config("alexia", "2026-13-40")
    assert len(tools) == 17 and tools["save_schedule"]["output_schema"]
    assert roster["count"] == 1 and roster["total_count"] == 37
    assert profile["creator"]["page_name"] == "alexia" and profile["analytics"] is None
    assert constraints["counts"]["total"] == 18
    assert caught.value.code == "INVALID_DATE"
    assert client.calls == 4


async def test_a_server_that_dies_is_a_transport_error() -> None:
    client = StdioClient(sys.executable, ["-c", "import sys; sys.exit(3)"], timeout_s=10)
    with pytest.raises(TransportError) as caught:
        await client.get_active_creators(limit=1)
    assert caught.value.code == "MCP_UNAVAILABLE"
    assert client.calls == 1


async def test_a_missing_server_command_is_a_transport_error() -> None:
    with pytest.raises(TransportError):
        await StdioClient("/nonexistent/eros-db-server", []).list_tools()


async def test_requests_past_the_servers_limits_are_coded_tool_errors_and_the_session_goes_on(
    sample_db_path: Path,
) -> None:
    """REQUEST_TOO_LARGE / REQUEST_TOO_DEEP reach the caller as ToolCallError, not a dead server."""
    env = {**os.environ, "EROS_DB_PATH": str(sample_db_path), "EROS_NOW": NOW}
    env.pop("EROS_DB_URL", None)
    deep: object = "x"
    for _ in range(200):
        deep = [deep]
    async with StdioClient(env=env, timeout_s=30) as client:
        with pytest.raises(ToolCallError) as large:
            await client.validate_caption_structure("a" * (MAX_REQUEST_BYTES + 1), "ppv_unlock")
        with pytest.raises(ToolCallError) as nested:
            await client.call_tool("get_send_types", {"page_type": deep})
        after = await client.get_send_types_constraints("free")
    assert (large.value.code, nested.value.code) == ("REQUEST_TOO_LARGE", "REQUEST_TOO_DEEP")
    assert after["counts"]["total"] == 18
