"""`/mcp` over a real uvicorn on an ephemeral loopback port: refused without a token (401), a tool
list and a tool call answered with one, through the MCP SDK's own streamable-HTTP client."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import httpx2
import pytest
import uvicorn
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from eros.access import Role
from eros.bootstrap import Container
from eros.web.app import create_app


@pytest.fixture
def served(container: Container) -> Iterator[str]:
    config = uvicorn.Config(create_app(container), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(2000):  # bounded: the server binds within a few hundred milliseconds
        if server.started:
            started.set()
            break
        started.wait(0.005)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_mcp_refuses_a_call_without_a_token(served: str) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    answer = httpx.post(f"{served}/mcp", json=body, headers={"Accept": "application/json, text/event-stream"})
    assert answer.status_code == 401


def test_mcp_refuses_a_viewer_token(served: str, tokens: dict[Role, str]) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {
        "Accept": "application/json, text/event-stream",
        "Authorization": f"Bearer {tokens[Role.VIEWER]}",
    }
    assert httpx.post(f"{served}/mcp", json=body, headers=headers).status_code == 403


async def test_mcp_lists_tools_and_answers_a_call_with_a_scheduler_token(
    served: str, tokens: dict[Role, str]
) -> None:
    client: httpx2.AsyncClient = create_mcp_http_client(
        headers={"Authorization": f"Bearer {tokens[Role.SCHEDULER]}"}
    )
    async with client, streamable_http_client(f"{served}/mcp", http_client=client) as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.list_tools()
            assert "save_schedule" in {tool.name for tool in listed.tools}
            result = await session.call_tool("get_active_creators", {"limit": 2})
            assert not result.is_error
            assert result.structured_content is not None and result.structured_content["count"] == 2
