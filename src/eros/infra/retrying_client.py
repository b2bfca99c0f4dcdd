"""The runbook's production eros-db client: retrying, timed and logged.

`ProductionMCPClient(tools)` wraps any ToolClient (in-process or stdio), or the one `connect()`
makes on first use (the runbook's no-argument form, `eros.adapters.ProductionMCPClient()`,
connects the configured transport that way, so a health check reports a missing database
as a failed call rather than a failed constructor).
Only failures that may pass are retried: transport failures, the CONFLICT / DATABASE_ERROR /
DATABASE_LOCKED tool codes and any tool error marked `retryable` (never DATABASE_CORRUPT).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from eros.clock import Clock, SystemClock
from eros.errors import DatabaseError, DatabaseLocked, ToolCallError, TransportError
from eros.infra.mcp_clients import ErosClient
from eros.ports import ToolArgs, ToolClient, ToolResult

__all__ = ["RETRYABLE_CODES", "ProductionMCPClient", "RetryConfig"]

logger = logging.getLogger("eros.adapters")

#: Tool error codes worth another attempt: a lost race, a database hiccup or lock.
RETRYABLE_CODES = frozenset({"CONFLICT", DatabaseError.code, DatabaseLocked.code})

Sleep = Callable[[float], Awaitable[None]]
ClientFactory = Callable[[], ToolClient]


@dataclass(frozen=True)
class RetryConfig:
    """Exponential backoff: base × 2^attempt, capped; `timeout_s` bounds each attempt."""

    max_retries: int = 3
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    timeout_s: float = 120.0

    def retrying(self, sleep: Sleep) -> AsyncRetrying:
        """tenacity's loop for one call: the first attempt plus `max_retries`, retryable errors only."""
        return AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=wait_exponential(multiplier=self.base_delay_s, max=self.max_delay_s),
            retry=retry_if_exception(retryable),
            sleep=sleep,
            reraise=True,
        )


def retryable(error: BaseException) -> bool:
    if isinstance(error, TransportError):
        return True
    return isinstance(error, ToolCallError) and (error.code in RETRYABLE_CODES or error.retryable)


class ProductionMCPClient(ErosClient):
    """Retries with backoff, a per-call timeout and one log line per call (with a trace id).

    `clock` only times the calls for the log (its monotonic counter), so the system's will do.
    """

    def __init__(
        self,
        tools: ToolClient | None = None,
        retry: RetryConfig | None = None,
        *,
        connect: ClientFactory | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock | None = None,
    ) -> None:
        if tools is None and connect is None:
            raise TypeError("ProductionMCPClient wraps a client: pass `tools` or `connect`")
        super().__init__()
        self.retry = retry or RetryConfig()
        self.attempts = 0
        self._tools = tools
        self._connect = connect
        self._sleep = sleep
        self._clock = clock or SystemClock()

    @property
    def tools(self) -> ToolClient:
        """The wrapped client (made by `connect` on first use when none was given)."""
        if self._tools is None:
            assert self._connect is not None
            self._tools = self._connect()
        return self._tools

    async def __aenter__(self) -> ProductionMCPClient:
        enter = getattr(self.tools, "__aenter__", None)
        if enter is not None:
            await enter()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        leave = getattr(self.tools, "__aexit__", None)
        if leave is not None:
            await leave(exc_type, exc, tb)

    async def list_tools(self) -> list[dict[str, Any]]:
        lister = getattr(self.tools, "list_tools", None)
        if lister is None:
            raise TransportError("the wrapped client cannot list tools")
        listed: list[dict[str, Any]] = await lister()
        return listed

    async def _attempt(self, name: str, arguments: ToolArgs) -> ToolResult:
        self.attempts += 1
        try:
            async with asyncio.timeout(self.retry.timeout_s):
                return await self.tools.call_tool(name, arguments)
        except TimeoutError:
            raise TransportError(
                f"eros-db tool {name} did not answer within {self.retry.timeout_s:g}s", code="MCP_TIMEOUT"
            ) from None

    async def _call(self, name: str, arguments: ToolArgs) -> ToolResult:
        trace_id = uuid.uuid4().hex[:16]
        started = self._clock.monotonic()
        retrying = self.retry.retrying(self._sleep)
        try:
            async for attempt in retrying:
                with attempt:
                    result = await self._attempt(name, arguments)
        except (ToolCallError, TransportError) as exc:
            tries = retrying.statistics["attempt_number"]
            self._log(logging.WARNING, name, trace_id, tries, started, f"error {exc.code}")
            raise
        self._log(logging.INFO, name, trace_id, retrying.statistics["attempt_number"], started, "ok")
        return result

    def _log(self, level: int, name: str, trace_id: str, attempts: int, started: float, outcome: str) -> None:
        elapsed_ms = (self._clock.monotonic() - started) * 1000
        logger.log(
            level,
            "mcp call tool=%s trace_id=%s attempts=%d duration_ms=%.1f outcome=%s",
            name,
            trace_id,
            attempts,
            elapsed_ms,
            outcome,
            extra={"trace_id": trace_id, "tool": name, "attempts": attempts},
        )
