"""What every pipeline run (v4, v5, or an agency's own) reports, and how to run one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from eros.clock import Clock
from eros.errors import ErosError
from eros.ports import ToolClient

#: The error code of a run stopped by its timeout (`EROS_V5_TIMEOUT_S`).
RUN_TIMEOUT = "RUN_TIMEOUT"


def phase_metrics(
    phase: str, duration_ms: float, mcp_calls: int, status: str = "ok", error: str | None = None
) -> dict[str, Any]:
    """The shape of one entry of `PipelineResult.metrics` (the runbook calls `.get` on it)."""
    return {
        "phase": phase,
        "duration_ms": round(duration_ms, 3),
        "mcp_calls": mcp_calls,
        "status": status,
        "error": error,
    }


@dataclass
class PipelineResult:
    """The outcome of one run; `metrics` maps each phase name to a `phase_metrics` dict, plus `total`."""

    success: bool
    creator_id: str
    week_start: str
    pipeline: str = "v5"
    schedule_id: int | None = None
    validation_status: str | None = None
    quality_score: float | None = None
    total_items: int = 0
    hard_gate_violations: int = 0
    expected_revenue: float | None = None
    errors: list[str] = field(default_factory=list)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedule: dict[str, Any] | None = None
    validation: dict[str, Any] | None = None
    dry_run: bool = False

    @property
    def total_duration_ms(self) -> float:
        return float(self.metrics.get("total", {}).get("duration_ms", 0.0))

    @property
    def mcp_calls_total(self) -> int:
        return int(self.metrics.get("total", {}).get("mcp_calls", 0))


class PipelineRunner(Protocol):
    """Anything that can generate a creator's week: the v5 orchestrator, the v4 pipeline, a plug-in."""

    async def __call__(
        self, creator_id: str, week_start: str, *, dry_run: bool = False
    ) -> PipelineResult: ...


class HoldsClientSession:
    """`async with runner:` holds its client's server session open for a batch of runs (stdio).

    A no-op for in-process clients, which have no session. Subclasses set `session_client`.
    """

    session_client: object
    _sessions: int = 0

    async def __aenter__(self) -> Self:
        enter = getattr(self.session_client, "__aenter__", None)
        if enter is not None:
            await enter()
        self._sessions += 1
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._sessions -= 1
        leave = getattr(self.session_client, "__aexit__", None)
        if leave is not None:
            await leave(*exc_info)


@dataclass
class PhaseRecord:
    """One phase's time, MCP calls and status, accumulated over its runs (v5 retries)."""

    name: str
    duration_ms: float = 0.0
    mcp_calls: int = 0
    runs: int = 0
    status: str = "skipped"
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        entry = phase_metrics(self.name, self.duration_ms, self.mcp_calls, self.status, self.error)
        entry["runs"] = self.runs
        entry.update(self.extra)
        return entry


@asynccontextmanager
async def timed_phase(phase: PhaseRecord, clock: Clock, client: ToolClient) -> AsyncIterator[PhaseRecord]:
    """Adds the block's time and MCP calls to `phase`: `running` inside, `ok` after unless the block chose."""
    started, calls = clock.monotonic(), client.calls
    phase.runs += 1
    phase.status = "running"
    try:
        yield phase
        # A checkpoint: a run whose deadline passed during CPU-bound work that never yields (the
        # built-in solver) is stopped here, failing the phase that overran, not the next one.
        await asyncio.sleep(0)
    except BaseException:
        phase.status = "running"  # left unfinished: the run's failure is this phase's
        raise
    finally:
        phase.duration_ms += (clock.monotonic() - started) * 1000
        phase.mcp_calls += client.calls - calls
    if phase.status == "running":
        phase.status = "ok"


async def run_reported(
    result: PipelineResult,
    phases: Mapping[str, PhaseRecord],
    body: Awaitable[None],
    *,
    clock: Clock,
    client: ToolClient,
    logger: logging.Logger,
    timeout_s: float | None = None,
) -> PipelineResult:
    """Runs a pipeline's phases and fills `result.metrics` (each phase plus `total`).

    An ErosError fails the phase that was running (else the first) and the run, never escapes.
    Past `timeout_s` the run is stopped and fails the same way, as RUN_TIMEOUT in its phase.
    """
    requested = result.creator_id
    started, calls_before = clock.monotonic(), client.calls
    deadline = asyncio.timeout(timeout_s)
    try:
        async with deadline:
            await body
    except ErosError as exc:
        _fail(result, phases, exc, logger, requested)
    except TimeoutError:
        if not deadline.expired():  # a timeout inside the run that is not this run's deadline
            raise
        timed_out = ErosError(f"{result.pipeline} run exceeded {timeout_s:g}s", code=RUN_TIMEOUT)
        _fail(result, phases, timed_out, logger, requested)
    result.metrics = {name: phase.metrics() for name, phase in phases.items()}
    total = phase_metrics(
        "total",
        (clock.monotonic() - started) * 1000,
        client.calls - calls_before,
        "ok" if result.success else "error",
        "; ".join(result.errors) or None,
    )
    total["expected_revenue"] = result.expected_revenue
    result.metrics["total"] = total
    logger.info(
        "%s run end creator=%s week=%s success=%s status=%s score=%s items=%d ms=%.1f mcp_calls=%d",
        result.pipeline,
        result.creator_id,
        result.week_start,
        result.success,
        result.validation_status,
        result.quality_score,
        result.total_items,
        result.total_duration_ms,
        result.mcp_calls_total,
    )
    return result


def _fail(
    result: PipelineResult,
    phases: Mapping[str, PhaseRecord],
    exc: ErosError,
    logger: logging.Logger,
    requested: str,
) -> None:
    """The phase that was running (else the first) and the run fail with `exc`'s code."""
    failed = next((p for p in phases.values() if p.status == "running"), next(iter(phases.values())))
    failed.status, failed.error = "error", f"[{exc.code}] {exc.message}"
    result.errors.append(f"{failed.name}: [{exc.code}] {exc.message}")
    logger.warning(
        "%s run failed creator=%s phase=%s: %s", result.pipeline, requested, failed.name, failed.error
    )
