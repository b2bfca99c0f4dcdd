"""SLO window arithmetic over recorded runs: rates, nearest-rank p95, health bands, triggers.

Pure: the monitor reads the runs from the database and hands them in; every function here
decides a value (a window's SLIs, a health band, which alerts hold, which rollback triggers
fired) and acts on nothing. Thresholds and windows are `eros.control.slo`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from eros.control.rows import Row
from eros.control.shadow_diff import ShadowSummary
from eros.control.slo import DEFAULT_SLO, AlertCode, HealthStatus, SLOConfig


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One finished run as the windows see it."""

    run_id: str
    pipeline: str
    creator_id: str
    finished_at: str
    duration_ms: float
    success: bool
    quality_score: float | None
    hard_gate_violations: int

    @classmethod
    def from_row(cls, row: Row) -> RunRecord:
        """A finished `pipeline_runs` row (NULL duration and violations read as 0)."""
        return cls(
            run_id=row["run_id"],
            pipeline=row["pipeline"],
            creator_id=row["creator_id"],
            finished_at=row["finished_at"],
            duration_ms=float(row["duration_ms"] or 0.0),
            success=bool(row["success"]),
            quality_score=row["quality_score"],
            hard_gate_violations=int(row["hard_gate_violations"] or 0),
        )


@dataclass(frozen=True, slots=True)
class WindowStats:
    """SLIs over one window; rates are None when the window holds no run."""

    runs: int
    successes: int
    success_rate: float | None
    p95_latency_s: float | None
    hard_gate_runs: int
    hard_gate_rate: float | None
    quality_avg: float | None
    quality_runs: int


@dataclass(frozen=True, slots=True)
class TriggerResult:
    """One automatic-rollback trigger evaluated: fired, or why not (too few runs is not a firing)."""

    name: str
    fired: bool
    value: float | None
    threshold: float
    window: str
    samples: int
    detail: str


def nearest_rank(values: Sequence[float], percentile: float) -> float | None:
    """The nearest-rank percentile (an observed value, never interpolated)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percentile / 100 * len(ordered)) - 1)]


def window_stats(runs: Sequence[RunRecord], percentile: float = DEFAULT_SLO.percentile) -> WindowStats:
    successes = sum(1 for r in runs if r.success)
    gate_runs = sum(1 for r in runs if r.hard_gate_violations > 0)
    scores = [r.quality_score for r in runs if r.quality_score is not None]
    p95_ms = nearest_rank([r.duration_ms for r in runs], percentile)
    return WindowStats(
        runs=len(runs),
        successes=successes,
        success_rate=successes / len(runs) if runs else None,
        p95_latency_s=p95_ms / 1000 if p95_ms is not None else None,
        hard_gate_runs=gate_runs,
        hard_gate_rate=gate_runs / len(runs) if runs else None,
        quality_avg=sum(scores) / len(scores) if scores else None,
        quality_runs=len(scores),
    )


def stats_by_creator(
    runs: Sequence[RunRecord], percentile: float = DEFAULT_SLO.percentile
) -> dict[str, WindowStats]:
    """Each creator's SLIs over their runs, in creator order."""
    by_creator: dict[str, list[RunRecord]] = {}
    for run in runs:
        by_creator.setdefault(run.creator_id, []).append(run)
    return {cid: window_stats(own, percentile) for cid, own in sorted(by_creator.items())}


def classify_health(stats: WindowStats, slo: SLOConfig = DEFAULT_SLO) -> HealthStatus:
    """Runbook §2 Key Metrics: any critical band ⇒ UNHEALTHY, any warning band ⇒ DEGRADED."""
    if stats.runs < slo.status_min_runs:
        return HealthStatus.HEALTHY
    critical = warning = False
    if stats.success_rate is not None:
        critical |= stats.success_rate < slo.success_warning
        warning |= stats.success_rate <= slo.success_normal
    if stats.p95_latency_s is not None:
        critical |= stats.p95_latency_s > slo.latency_warning_s
        warning |= stats.p95_latency_s >= slo.latency_normal_s
    if stats.hard_gate_rate is not None:
        critical |= stats.hard_gate_rate > slo.hard_gate_warning
        warning |= stats.hard_gate_rate >= slo.hard_gate_normal
    if stats.quality_avg is not None:
        critical |= stats.quality_avg < slo.quality_warning
        warning |= stats.quality_avg <= slo.quality_normal
    if critical:
        return HealthStatus.UNHEALTHY
    return HealthStatus.DEGRADED if warning else HealthStatus.HEALTHY


def alert_conditions(stats: WindowStats, slo: SLOConfig = DEFAULT_SLO) -> dict[AlertCode, bool]:
    """Which metric alerts hold: the runbook's five and the plan's success and quality ones.
    With too few runs none does (no alert on noise)."""
    success = stats.success_rate if stats.success_rate is not None else 1.0
    p95 = stats.p95_latency_s or 0.0
    gate = stats.hard_gate_rate or 0.0
    quality = stats.quality_avg
    conditions = {
        AlertCode.V5_SUCCESS_LOW: success < slo.alert_success_low,
        AlertCode.V5_SUCCESS_CRITICAL: success < slo.alert_success_critical,
        AlertCode.V5_LATENCY_HIGH: p95 > slo.alert_latency_high_s,
        AlertCode.V5_LATENCY_CRITICAL: p95 > slo.alert_latency_critical_s,
        AlertCode.V5_HARD_GATE_SPIKE: gate > slo.alert_hard_gate_spike,
        AlertCode.V5_SUCCESS_BELOW_PLAN: success < slo.plan_alert_success_below,
        AlertCode.V5_QUALITY_LOW: quality is not None and quality < slo.plan_alert_quality_below,
    }
    if stats.runs < slo.status_min_runs:
        return dict.fromkeys(conditions, False)
    return conditions


def shadow_diff_holds(shadow: ShadowSummary, slo: SLOConfig = DEFAULT_SLO) -> bool:
    """The plan's "Shadow comparison diff < −5": the window's mean v5 − v4 quality, once it holds
    enough comparisons to mean anything (as many as the metric alerts need runs)."""
    diff = shadow.quality_diff_avg
    return (
        shadow.comparisons >= slo.status_min_runs
        and diff is not None
        and diff < slo.plan_alert_shadow_diff_below
    )


def shadow_diff_message(shadow: ShadowSummary) -> str:
    diff = f"{shadow.quality_diff_avg:+.1f}" if shadow.quality_diff_avg is not None else "n/a"
    return (
        f"{AlertCode.V5_SHADOW_DIFF_LOW}: mean shadow quality diff v5 − v4 {diff} "
        f"over {shadow.comparisons} comparisons"
    )


def rollback_triggers(
    window_runs: Sequence[RunRecord], recent_runs: Sequence[RunRecord], slo: SLOConfig = DEFAULT_SLO
) -> list[TriggerResult]:
    """The four automatic triggers (rollout plan table). `window_runs`: the last 5 minutes;
    `recent_runs`: the newest finished runs, newest first (at least 10 of them when there are)."""
    minutes = int(slo.rollback_success_window.total_seconds() // 60)
    stats = window_stats(window_runs, slo.percentile)
    enough = stats.runs >= slo.rollback_success_min_runs
    success = TriggerResult(
        "success_rate",
        fired=enough and stats.success_rate is not None and stats.success_rate < slo.rollback_success_below,
        value=stats.success_rate,
        threshold=slo.rollback_success_below,
        window=f"{minutes} min",
        samples=stats.runs,
        detail="" if enough else f"fewer than {slo.rollback_success_min_runs} runs in the window",
    )

    last = recent_runs[: slo.rollback_latency_consecutive]
    slow = [r for r in last if r.duration_ms / 1000 > slo.rollback_latency_above_s]
    full = len(last) == slo.rollback_latency_consecutive
    latency = TriggerResult(
        "p95_latency",
        fired=full and len(slow) == len(last),
        value=min(r.duration_ms for r in last) / 1000 if last else None,
        threshold=slo.rollback_latency_above_s,
        window=f"{slo.rollback_latency_consecutive} consecutive runs",
        samples=len(last),
        detail=f"{len(slow)} of the last {len(last)} runs above the threshold",
    )

    gate_window = recent_runs[: slo.rollback_hard_gate_runs]
    gate_runs = sum(1 for r in gate_window if r.hard_gate_violations > 0)
    gate_rate = gate_runs / slo.rollback_hard_gate_runs
    hard_gate = TriggerResult(
        "hard_gate_rate",
        fired=gate_rate > slo.rollback_hard_gate_above,
        value=gate_rate,
        threshold=slo.rollback_hard_gate_above,
        window=f"last {slo.rollback_hard_gate_runs} runs",
        samples=len(gate_window),
        detail=f"{gate_runs} runs with a hard-gate violation",
    )

    scored = [r.quality_score for r in recent_runs if r.quality_score is not None]
    scored = scored[: slo.rollback_quality_runs]
    quality_full = len(scored) == slo.rollback_quality_runs
    quality_avg = sum(scored) / len(scored) if scored else None
    quality = TriggerResult(
        "quality_avg",
        fired=quality_full and quality_avg is not None and quality_avg < slo.rollback_quality_below,
        value=quality_avg,
        threshold=slo.rollback_quality_below,
        window=f"last {slo.rollback_quality_runs} runs",
        samples=len(scored),
        detail="" if quality_full else f"fewer than {slo.rollback_quality_runs} scored runs",
    )
    return [success, latency, hard_gate, quality]


def verdict(triggers: Sequence[TriggerResult]) -> tuple[bool, str]:
    """(fire?, reason): the reason names every trigger that fired, with its value and window."""
    fired = [t for t in triggers if t.fired]
    reason = "; ".join(
        f"{t.name} {t.value:.3g} vs {t.threshold:g} over {t.window}" for t in fired if t.value is not None
    )
    return bool(fired), reason


def alert_message(code: AlertCode, stats: WindowStats) -> str:
    """The one line a metric alert carries: the window's success rate, p95, hard-gate rate and quality."""
    rate = f"{stats.success_rate:.1%}" if stats.success_rate is not None else "n/a"
    p95 = f"{stats.p95_latency_s:.1f}s" if stats.p95_latency_s is not None else "n/a"
    gate = f"{stats.hard_gate_rate:.1%}" if stats.hard_gate_rate is not None else "n/a"
    quality = f"{stats.quality_avg:.1f}" if stats.quality_avg is not None else "n/a"
    return (
        f"{code}: v5 success {rate}, p95 {p95}, hard-gate rate {gate}, quality avg {quality} "
        f"over {stats.runs} runs"
    )
