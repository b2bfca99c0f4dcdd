"""What every pipeline run (v4, v5, or an agency's own) reports, and how to run one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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
