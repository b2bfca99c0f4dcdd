"""The in-process client calls the tools directly: the same answers and errors as the SDK server path."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from eros.errors import ToolCallError
from eros.infra.mcp_clients import InProcessClient, result_payload
from eros.tools.env import ToolEnv

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_creator_profile", {"creator_id": "alexia"}),
    ("get_captions", {"creator_id": "alexia", "limit_per_type": 20, "limit_per_send_type": 40}),
    ("get_volume_config", {"creator_id": "alexia", "week_start": "2026-01-05"}),
    ("get_send_types", {"page_type": "paid"}),
]
BAD_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("no_such_tool", {}),
    ("get_creator_profile", {}),  # a required argument missing: the SDK's argument validation
    ("get_captions", {"creator_id": "alexia", "limit_per_type": "many"}),
    ("get_creator_profile", {"creator_id": "nobody_at_all"}),  # the tool's own coded error
    ("get_captions", {"creator_id": "alexia", "limit_per_type": 0}),
]


async def _through_server(client: InProcessClient, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """What the SDK server path answers (a worker thread, content conversion, output validation)."""
    from mcp_types import CallToolResult  # noqa: PLC0415 - only this comparison needs it

    result = await client.server.call_tool(name, arguments)
    assert isinstance(result, CallToolResult)
    return result_payload(name, result)


@pytest.mark.parametrize(("name", "arguments"), CALLS, ids=[c[0] for c in CALLS])
def test_answers_equal_the_servers(
    read_client: InProcessClient, name: str, arguments: dict[str, Any]
) -> None:
    direct = asyncio.run(read_client.call_tool(name, arguments))
    assert direct == asyncio.run(_through_server(read_client, name, arguments))


@pytest.mark.parametrize(("name", "arguments"), BAD_CALLS)
def test_errors_carry_the_servers_codes(
    read_client: InProcessClient, name: str, arguments: dict[str, Any]
) -> None:
    with pytest.raises(ToolCallError) as direct:
        asyncio.run(read_client.call_tool(name, arguments))
    try:
        asyncio.run(_through_server(read_client, name, arguments))
    except ToolCallError as server:
        expected = (server.code, server.message)
    except Exception as exc:  # the SDK raises its own ToolError: mapped as the client always did
        from eros.tools.errors import tool_error_from_text  # noqa: PLC0415

        error = tool_error_from_text(name, str(exc))
        expected = (error.code, error.message)
    assert (direct.value.code, direct.value.message) == expected
    assert direct.value.code != "INTERNAL_ERROR"


def test_a_crash_is_internal_error_without_its_text(env: ToolEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    client = InProcessClient(env)

    def crash(**_: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(client.tools["get_send_types"], "fn", crash)
    with pytest.raises(ToolCallError) as caught:
        asyncio.run(client.call_tool("get_send_types", {}))
    assert caught.value.code == "INTERNAL_ERROR"
    assert "secret" not in caught.value.message


def test_tools_run_on_the_callers_thread(env: ToolEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    client = InProcessClient(env)
    original = client.tools["get_send_types"].fn
    seen: list[threading.Thread] = []

    def spy(**arguments: Any) -> Any:
        seen.append(threading.current_thread())
        return original(**arguments)

    monkeypatch.setattr(client.tools["get_send_types"], "fn", spy)
    asyncio.run(client.call_tool("get_send_types", {}))
    assert seen == [threading.current_thread()]
