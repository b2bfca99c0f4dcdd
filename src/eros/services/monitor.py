"""SLO tracking for both pipelines: every run is a row, every window is a query (runbook §2, D4).

The window arithmetic (rates, nearest-rank p95, health bands, rollback triggers, alert
conditions) is pure and lives in the functions at the top; `PipelineMonitor` records runs
through `eros.db.ops_repo` and evaluates those functions over what the database holds, so
every process sees the same numbers.
"""

from __future__ import annotations

import itertools
import logging
import math
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import RowMapping

from eros.clock import Clock, iso_z, parse_instant
from eros.control.slo import DEFAULT_SLO, AlertCode, HealthStatus, SLOConfig
from eros.db import ops_repo
from eros.db.signals_repo import SignalRepository
from eros.services.pipeline_run import PipelineResult, PipelineRunner
from eros.services.reflect import capture_run

if TYPE_CHECKING:
    from eros.bootstrap import Container
    from eros.services.alerting import Alert, AlertManager

__all__ = ["HealthStatus", "PipelineMonitor", "SLOConfig"]

logger = logging.getLogger("eros.monitoring")

_RUN_SEQUENCE = itertools.count()


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    pipeline: str
    creator_id: str
    finished_at: str
    duration_ms: float
    success: bool
    quality_score: float | None
    hard_gate_violations: int


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
    """Which of the runbook's metric alerts hold; with too few runs none does (no alert on noise)."""
    if stats.runs < slo.status_min_runs:
        return dict.fromkeys(
            (
                AlertCode.V5_SUCCESS_LOW,
                AlertCode.V5_SUCCESS_CRITICAL,
                AlertCode.V5_LATENCY_HIGH,
                AlertCode.V5_LATENCY_CRITICAL,
                AlertCode.V5_HARD_GATE_SPIKE,
            ),
            False,
        )
    success = stats.success_rate if stats.success_rate is not None else 1.0
    p95 = stats.p95_latency_s or 0.0
    gate = stats.hard_gate_rate or 0.0
    return {
        AlertCode.V5_SUCCESS_LOW: success < slo.alert_success_low,
        AlertCode.V5_SUCCESS_CRITICAL: success < slo.alert_success_critical,
        AlertCode.V5_LATENCY_HIGH: p95 > slo.alert_latency_high_s,
        AlertCode.V5_LATENCY_CRITICAL: p95 > slo.alert_latency_critical_s,
        AlertCode.V5_HARD_GATE_SPIKE: gate > slo.alert_hard_gate_spike,
    }


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


def _record(row: RowMapping) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        pipeline=row["pipeline"],
        creator_id=row["creator_id"],
        finished_at=row["finished_at"],
        duration_ms=float(row["duration_ms"] or 0.0),
        success=bool(row["success"]),
        quality_score=row["quality_score"],
        hard_gate_violations=int(row["hard_gate_violations"] or 0),
    )


def new_run_id(now: datetime) -> str:
    """Time-ordered and unique across processes: start time, a process sequence, random bits."""
    return f"{now.strftime('%Y%m%dT%H%M%S%f')}-{next(_RUN_SEQUENCE) % 10**8:08d}-{secrets.token_hex(4)}"


class RunRecording:
    """`with RunRecording(...) as run: run.result = await …`: one timed run, recorded when monitored.

    Entering inserts the in-flight row; leaving completes it with `result`, or as failed with the
    exception (a cancelled run included), which propagates. Without a monitor it only times.
    """

    def __init__(
        self,
        monitor: PipelineMonitor | None,
        clock: Clock,
        pipeline: str,
        creator_id: str,
        week_start: str,
        *,
        route_reason: str | None = None,
        shadow: bool = False,
    ) -> None:
        self.monitor, self.clock = monitor, clock
        self.pipeline, self.creator_id, self.week_start = pipeline, creator_id, week_start
        self.route_reason, self.shadow = route_reason, shadow
        self.run_id: str | None = None
        self.result: PipelineResult | None = None
        self.elapsed_ms = 0.0
        self._started = 0.0

    def __enter__(self) -> RunRecording:
        if self.monitor is not None:
            self.run_id = self.monitor.start_run(
                self.pipeline,
                self.creator_id,
                self.week_start,
                route_reason=self.route_reason,
                shadow=self.shadow,
            )
        self._started = self.clock.monotonic()
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, traceback: object) -> None:
        self.elapsed_ms = (self.clock.monotonic() - self._started) * 1000
        if self.monitor is None or self.run_id is None:
            return
        if exc is None:
            self.monitor.finish_run(self.run_id, duration_ms=self.elapsed_ms, result=self.result)
        else:
            self.monitor.finish_run(
                self.run_id, duration_ms=self.elapsed_ms, error=f"{type(exc).__name__}: {exc}"
            )


class PipelineMonitor:
    """Records every run of either pipeline and answers the runbook's questions about them.

    `PipelineMonitor()` reads the configured database (runbook §2, §5, §8).
    """

    def __init__(
        self,
        container: Container | None = None,
        *,
        slo: SLOConfig = DEFAULT_SLO,
        alerts: AlertManager | None = None,
    ) -> None:
        from eros.bootstrap import bootstrap

        self.container = container if container is not None else bootstrap()
        self.slo = slo
        self._alerts = alerts

    @property
    def clock(self) -> Clock:
        return self.container.clock

    @property
    def alerts(self) -> AlertManager:
        if self._alerts is None:
            from eros.services.alerting import build_alert_manager

            self._alerts = build_alert_manager(self.container)
        return self._alerts

    # --- recording -------------------------------------------------------------------

    def start_run(
        self,
        pipeline: str,
        creator_id: str,
        week_start: str | None,
        *,
        route_reason: str | None = None,
        shadow: bool = False,
    ) -> str:
        """Insert the in-flight row (finished_at empty): this is what a rollback drain waits for."""
        now = self.clock.now()
        run_id = new_run_id(now)
        with self.container.engine.begin() as conn:
            ops_repo.OpsRepository(conn).insert_run(
                {
                    "run_id": run_id,
                    "pipeline": pipeline,
                    "creator_id": creator_id,
                    "week_start": week_start,
                    "started_at": iso_z(now),
                    "shadow": shadow,
                    "route_reason": route_reason,
                },
            )
        return run_id

    def finish_run(
        self,
        run_id: str,
        *,
        duration_ms: float,
        result: PipelineResult | None = None,
        error: str | None = None,
    ) -> None:
        """Complete the row; no result (an exception) is a failed run."""
        values: dict[str, Any] = {
            "finished_at": iso_z(self.clock.now()),
            "duration_ms": round(duration_ms, 3),
            "success": bool(result is not None and result.success and error is None),
            "error": error,
        }
        if result is not None:
            values |= {
                "validation_status": result.validation_status,
                "quality_score": result.quality_score,
                "hard_gate_violations": result.hard_gate_violations,
                "mcp_calls": result.mcp_calls_total,
                "expected_revenue": result.expected_revenue,
                "schedule_id": result.schedule_id,
                "error": error or ("; ".join(result.errors) if result.errors else None),
            }
        with self.container.engine.begin() as conn:
            ops_repo.OpsRepository(conn).finish_run(run_id, values)
            capture_run(
                SignalRepository(conn), result, self.clock.now()
            )  # validation signals for `eros reflect`
        logger.info(
            "run %s finished success=%s duration_ms=%.0f", run_id, values["success"], values["duration_ms"]
        )

    def record_execution(
        self,
        result: PipelineResult,
        *,
        duration_ms: float | None = None,
        route_reason: str | None = None,
        shadow: bool = False,
    ) -> str:
        """Record a run that already happened elsewhere (duration defaults to the result's own)."""
        run_id = self.start_run(
            result.pipeline, result.creator_id, result.week_start, route_reason=route_reason, shadow=shadow
        )
        self.finish_run(
            run_id,
            duration_ms=duration_ms if duration_ms is not None else result.total_duration_ms,
            result=result,
        )
        return run_id

    async def observe(
        self,
        pipeline: str,
        runner: PipelineRunner,
        creator_id: str,
        week_start: str,
        *,
        dry_run: bool = False,
        route_reason: str | None = None,
        shadow: bool = False,
    ) -> PipelineResult:
        """Run `runner` as one recorded run; its exception is recorded, then re-raised."""
        recording = RunRecording(
            self, self.clock, pipeline, creator_id, week_start, route_reason=route_reason, shadow=shadow
        )
        with recording:
            result = await runner(creator_id, week_start, dry_run=dry_run)
            recording.result = result
        return result

    # --- reading ---------------------------------------------------------------------

    def runs(
        self,
        pipeline: str = "v5",
        *,
        since: datetime | None = None,
        limit: int | None = None,
        creator_id: str | None = None,
    ) -> list[RunRecord]:
        with self.container.engine.connect() as conn:
            rows = ops_repo.OpsRepository(conn).finished_runs(
                pipeline,
                since=iso_z(since) if since is not None else None,
                limit=limit,
                creator_id=creator_id,
            )
        return [_record(row) for row in rows]

    def stats(self, pipeline: str = "v5", *, creator_id: str | None = None) -> WindowStats:
        """SLIs over the status window (the last hour)."""
        since = self.clock.now() - self.slo.status_window
        return window_stats(self.runs(pipeline, since=since, creator_id=creator_id), self.slo.percentile)

    def creator_stats(self, pipeline: str = "v5") -> dict[str, WindowStats]:
        """Per-creator SLIs over the status window."""
        since = self.clock.now() - self.slo.status_window
        return stats_by_creator(self.runs(pipeline, since=since), self.slo.percentile)

    def check_health(self, pipeline: str = "v5") -> HealthStatus:
        return classify_health(self.stats(pipeline), self.slo)

    def rollback_triggers(self, pipeline: str = "v5") -> list[TriggerResult]:
        """Runs before the last restore are history: a restored v5 is judged only on what it did since."""
        restored_at = self._last_restore()
        since = self.clock.now() - self.slo.rollback_success_window
        if restored_at is not None:
            since = max(since, restored_at)
        depth = max(
            self.slo.rollback_latency_consecutive,
            self.slo.rollback_hard_gate_runs,
            self.slo.rollback_quality_runs,
        )
        recent = self.runs(pipeline, since=restored_at, limit=depth * 3)
        return rollback_triggers(self.runs(pipeline, since=since), recent, self.slo)

    def _last_restore(self) -> datetime | None:
        with self.container.engine.connect() as conn:
            row = ops_repo.OpsRepository(conn).rollback_state_row()
        if row is None or row["state"] != "active" or not row["updated_at"]:
            return None
        return parse_instant(str(row["updated_at"]))

    def should_rollback(self, pipeline: str = "v5") -> tuple[bool, str]:
        """(fire?, reason) — the reason names every trigger that fired, with its value and window."""
        return _verdict(self.rollback_triggers(pipeline))

    def in_flight(self, pipeline: str = "v5") -> int:
        """Unfinished runs started within the drain timeout (older ones are presumed dead)."""
        since = iso_z(self.clock.now() - self.slo.drain_timeout)
        with self.container.engine.connect() as conn:
            return ops_repo.OpsRepository(conn).in_flight_count(pipeline, started_since=since)

    def get_status(self, pipeline: str = "v5") -> dict[str, Any]:
        """The runbook's status: `health`, `success_rate` (1.0 with no runs; see `runs`) and the rest."""
        stats = self.stats(pipeline)
        triggers = self.rollback_triggers(pipeline)
        fire, reason = _verdict(triggers)
        with self.container.engine.connect() as conn:
            state_row = ops_repo.OpsRepository(conn).rollback_state_row()
            open_alerts = [
                row["code"] for row in ops_repo.OpsRepository(conn).alert_rows(open_only=True, limit=50)
            ]
        return {
            "pipeline": pipeline,
            "health": classify_health(stats, self.slo).value,
            "success_rate": stats.success_rate if stats.success_rate is not None else 1.0,
            "p95_latency_s": stats.p95_latency_s,
            "hard_gate_rate": stats.hard_gate_rate if stats.hard_gate_rate is not None else 0.0,
            "quality_avg": stats.quality_avg,
            "runs": stats.runs,
            "window_minutes": int(self.slo.status_window.total_seconds() // 60),
            "checked_at": iso_z(self.clock.now()),
            "rollback_triggers": {t.name: asdict(t) for t in triggers},
            "should_rollback": fire,
            "rollback_reason": reason or None,
            "rollback_state": state_row["state"]
            if state_row is not None
            else ops_repo.INITIAL_ROLLBACK_STATE,
            "in_flight": {"v4": self.in_flight("v4"), "v5": self.in_flight("v5")},
            "open_alerts": open_alerts,
            "v4": asdict(self.stats("v4")),
        }

    # --- alerting --------------------------------------------------------------------

    async def evaluate_alerts(self) -> list[Alert]:
        """Raise each metric alert whose condition holds (once per episode); resolve the others."""
        stats = self.stats("v5")
        raised: list[Alert] = []
        for code, holds in alert_conditions(stats, self.slo).items():
            if holds:
                alert = await self.alerts.raise_alert(
                    code, _alert_message(code, stats), metrics=asdict(stats)
                )
                if alert is not None:
                    raised.append(alert)
            else:
                await self.alerts.resolve(code)
        return raised


def _verdict(triggers: Sequence[TriggerResult]) -> tuple[bool, str]:
    fired = [t for t in triggers if t.fired]
    reason = "; ".join(
        f"{t.name} {t.value:.3g} vs {t.threshold:g} over {t.window}" for t in fired if t.value is not None
    )
    return bool(fired), reason


def _alert_message(code: AlertCode, stats: WindowStats) -> str:
    rate = f"{stats.success_rate:.1%}" if stats.success_rate is not None else "n/a"
    p95 = f"{stats.p95_latency_s:.1f}s" if stats.p95_latency_s is not None else "n/a"
    gate = f"{stats.hard_gate_rate:.1%}" if stats.hard_gate_rate is not None else "n/a"
    return f"{code}: v5 success {rate}, p95 {p95}, hard-gate rate {gate} over {stats.runs} runs"
