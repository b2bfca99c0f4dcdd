"""What the rollout judges, computed from recorded runs: the live phases' metrics and the
plan's "Final Validation" table (v4 baseline against v5 actual).

Pure: the rollout manager reads the runs and hands them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eros.control.rows import Row
from eros.control.slo import DEFAULT_SLO
from eros.control.windows import RunRecord, stats_by_creator, window_stats


@dataclass(frozen=True, slots=True)
class ValidationRow:
    metric: str
    v4_baseline: str
    v5_target: str
    v5_actual: str
    v4_measured: float | None
    v5_measured: float | None
    met: bool | None


def _avg(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def final_validation_rows(v4: Sequence[Row], v5: Sequence[Row]) -> list[ValidationRow]:
    """Execution time, MCP calls, success rate, quality from run rows (seed 000, Final Validation)."""

    def measured(rows: Sequence[Row]) -> dict[str, float | None]:
        qualities = [float(r["quality_score"]) for r in rows if r["quality_score"] is not None]
        return {
            "seconds": _avg([float(r["duration_ms"] or 0) / 1000 for r in rows]),
            "mcp": _avg([float(r["mcp_calls"] or 0) for r in rows]),
            "success": _avg([1.0 if r["success"] else 0.0 for r in rows]),
            "quality": _avg(qualities),
        }

    old, new = measured(v4), measured(v5)

    def row(metric: str, key: str, baseline: str, target: str, ok: Any, fmt: str) -> ValidationRow:
        value = new[key]
        return ValidationRow(
            metric=metric,
            v4_baseline=f"{baseline} (measured {_show(old[key], fmt)})",
            v5_target=target,
            v5_actual=_show(value, fmt),
            v4_measured=old[key],
            v5_measured=value,
            met=None if value is None else bool(ok(value)),
        )

    slo = DEFAULT_SLO
    return [
        row("Execution time", "seconds", "3-5 min", "< 90s", lambda v: v < slo.target_execution_s, "{:.1f}s"),
        row("MCP calls", "mcp", "50+", "~10", lambda v: v <= slo.target_mcp_calls, "{:.1f}"),
        row("Success rate", "success", "~95%", ">= 95%", lambda v: v >= slo.target_success_rate, "{:.1%}"),
        row("Quality score", "quality", "~80", ">= 80", lambda v: v >= slo.target_quality_avg, "{:.1f}"),
    ]


def _show(value: float | None, fmt: str) -> str:
    return "TBD" if value is None else fmt.format(value)


def live_metrics(v5_runs: Sequence[RunRecord], v4_runs: Sequence[RunRecord]) -> dict[str, float | None]:
    """The live phases' metrics (`eros.control.phases`, phases 1-6) over the runs since the phase began."""
    stats = window_stats(v5_runs)
    creator_rates = [own.success_rate for own in stats_by_creator(v5_runs).values()]
    qualities = [r.quality_score for r in v5_runs if r.quality_score is not None]
    v4_quality = window_stats(v4_runs).quality_avg
    return {
        "runs": stats.runs,
        "success_rate": stats.success_rate,
        "min_creator_success_rate": min((r for r in creator_rates if r is not None), default=None),
        "p95_latency_s": stats.p95_latency_s,
        "quality_avg": stats.quality_avg,
        "quality_min": min(qualities) if qualities else None,
        "quality_regression": v4_quality - stats.quality_avg
        if v4_quality is not None and stats.quality_avg is not None
        else None,
        "hard_gate_violations": stats.hard_gate_runs,
        "hard_gate_rate": stats.hard_gate_rate,
    }
