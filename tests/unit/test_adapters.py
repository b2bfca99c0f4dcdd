"""ProductionMCPClient: retry only what may pass, back off exponentially, time out, log, count."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from eros.errors import ToolCallError, TransportError
from eros.infra.retrying_client import ProductionMCPClient, RetryConfig


class StubTools:
    """Fails with the queued errors first, then answers; counts every call like a real client."""

    def __init__(self, *failures: Exception, hang: bool = False) -> None:
        self.failures = list(failures)
        self.hang = hang
        self.calls = 0
        self.seen: list[tuple[str, dict[str, Any] | None]] = []

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        self.calls += 1
        self.seen.append((name, arguments))
        if self.hang:
            await asyncio.Event().wait()
        if self.failures:
            raise self.failures.pop(0)
        return {"tool": name, "creators": [{"creator_id": "c1"}]}


class FakeSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def test_retry_config_defaults_match_the_issue() -> None:
    config = RetryConfig()
    assert (config.max_retries, config.base_delay_s, config.max_delay_s, config.timeout_s) == (
        3,
        1.0,
        30.0,
        120.0,
    )


async def test_backoff_doubles_and_is_capped() -> None:
    stub = StubTools(*[TransportError(f"down {n}") for n in range(5)])
    sleep = FakeSleep()
    client = ProductionMCPClient(
        stub, RetryConfig(max_retries=5, base_delay_s=1.0, max_delay_s=5.0), sleep=sleep
    )
    await client.call_tool("get_active_creators", {"limit": 1})
    assert sleep.delays == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert stub.calls == 6


async def test_transport_errors_are_retried_with_exponential_backoff() -> None:
    stub = StubTools(TransportError("down"), TransportError("still down"))
    sleep = FakeSleep()
    client = ProductionMCPClient(stub, sleep=sleep)
    result = await client.get_active_creators(limit=1)
    assert result["creators"] == [{"creator_id": "c1"}]
    assert sleep.delays == [1.0, 2.0]
    assert stub.calls == 3
    assert client.calls == 1
    assert client.attempts == 3


async def test_conflict_and_database_errors_are_retried() -> None:
    stub = StubTools(ToolCallError("race", code="CONFLICT"), ToolCallError("db", code="DATABASE_ERROR"))
    client = ProductionMCPClient(stub, sleep=FakeSleep())
    await client.call_tool("save_schedule", {})
    assert stub.calls == 3


async def test_a_locked_database_is_retried_and_a_damaged_one_never() -> None:
    """The tool errors carry `retryable` from eros.db.faults (DATABASE_LOCKED yes, DATABASE_CORRUPT no)."""
    locked = ToolCallError("locked", code="DATABASE_LOCKED", details={"retryable": True})
    stub = StubTools(locked, locked)
    await ProductionMCPClient(stub, sleep=FakeSleep()).call_tool("get_schedules", {})
    assert stub.calls == 3
    corrupt = StubTools(ToolCallError("damaged", code="DATABASE_CORRUPT", details={"retryable": False}))
    with pytest.raises(ToolCallError):
        await ProductionMCPClient(corrupt, sleep=FakeSleep()).call_tool("get_schedules", {})
    assert corrupt.calls == 1


async def test_a_caller_mistake_is_not_retried() -> None:
    stub = StubTools(ToolCallError("no such creator", code="CREATOR_NOT_FOUND"))
    sleep = FakeSleep()
    client = ProductionMCPClient(stub, sleep=sleep)
    with pytest.raises(ToolCallError) as caught:
        await client.get_creator_profile("ghost")
    assert caught.value.code == "CREATOR_NOT_FOUND"
    assert stub.calls == 1
    assert sleep.delays == []


async def test_gives_up_after_max_retries_with_the_last_error() -> None:
    stub = StubTools(*[TransportError(f"down {n}") for n in range(10)])
    sleep = FakeSleep()
    client = ProductionMCPClient(stub, RetryConfig(max_retries=2, base_delay_s=0.5), sleep=sleep)
    with pytest.raises(TransportError, match="down 2"):
        await client.call_tool("get_active_creators", {"limit": 1})
    assert stub.calls == 3
    assert sleep.delays == [0.5, 1.0]


async def test_a_hanging_call_times_out_as_a_transport_error() -> None:
    stub = StubTools(hang=True)
    client = ProductionMCPClient(stub, RetryConfig(max_retries=1, timeout_s=0.01), sleep=FakeSleep())
    with pytest.raises(TransportError) as caught:
        await client.call_tool("get_active_creators")
    assert caught.value.code == "MCP_TIMEOUT"
    assert stub.calls == 2


async def test_one_log_line_per_call_with_a_trace_id(caplog: pytest.LogCaptureFixture) -> None:
    stub = StubTools(TransportError("blip"))
    client = ProductionMCPClient(stub, sleep=FakeSleep())
    with caplog.at_level(logging.INFO, logger="eros.adapters"):
        await client.call_tool("get_send_types")
        await client.call_tool("get_send_types")
    lines = [r for r in caplog.records if r.name == "eros.adapters"]
    assert len(lines) == 2
    trace_ids = {r.__dict__["trace_id"] for r in lines}
    assert len(trace_ids) == 2
    assert "attempts=2" in lines[0].getMessage()
    assert "tool=get_send_types" in lines[1].getMessage()


async def test_convenience_methods_pass_the_tool_arguments_through() -> None:
    stub = StubTools()
    client = ProductionMCPClient(stub, sleep=FakeSleep())
    await client.get_volume_config("alexia", "2026-01-05")
    await client.get_performance_trends("alexia", period="7d")
    assert stub.seen == [
        ("get_volume_config", {"creator_id": "alexia", "week_start": "2026-01-05"}),
        ("get_performance_trends", {"creator_id": "alexia", "period": "7d"}),
    ]
