"""SLO tracking for both pipelines: every run is a row, every window is a query (runbook §2, D4).

`PipelineMonitor` records runs through the unit of work and evaluates the pure window
arithmetic of `eros.control.windows` over what the database holds, so every process sees the
same numbers. A run's finish and the learning signals it yields land in one transaction.
"""

from __future__ import annotations

import itertools
import logging
import secrets
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from eros.clock import Clock, iso_z, parse_instant
from eros.control.alerts import Alert
from eros.control.flags import ACTIVE_STATE
from eros.control.leases import drain_budget, is_leased, lease_expiry
from eros.control.shadow_diff import ShadowSummary, summarise
from eros.control.slo import DEFAULT_SLO, AlertCode, HealthStatus, SLOConfig
from eros.control.windows import (
    RunRecord,
    TriggerResult,
    WindowStats,
    alert_conditions,
    alert_message,
    classify_health,
    rollback_triggers,
    shadow_diff_holds,
    shadow_diff_message,
    stats_by_creator,
    verdict,
    window_stats,
)
from eros.ports import UnitOfWorkFactory
from eros.services.alerting import AlertManager
from eros.services.pipeline_run import PipelineResult, PipelineRunner
from eros.services.reflect import capture_run

__all__ = ["HealthStatus", "PipelineMonitor", "RunRecording", "SLOConfig"]

logger = logging.getLogger("eros.monitoring")

_RUN_SEQUENCE = itertools.count()


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
    """Records every run of either pipeline and answers the runbook's questions about them
    (runbook §2, §5, §8); raises and resolves the metric alerts through `alerts`."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        alerts: AlertManager,
        slo: SLOConfig = DEFAULT_SLO,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.alerts = alerts
        self.slo = slo

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
        """Insert the in-flight row (finished_at empty) with its lease: what a rollback drain waits for."""
        now = self.clock.now()
        run_id = new_run_id(now)
        with self.uow() as uow:
            uow.ops.insert_run(
                {
                    "run_id": run_id,
                    "pipeline": pipeline,
                    "creator_id": creator_id,
                    "week_start": week_start,
                    "started_at": iso_z(now),
                    "lease_expires_at": iso_z(lease_expiry(now, self.slo)),
                    "shadow": shadow,
                    "route_reason": route_reason,
                },
            )
            uow.commit()
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
        with self.uow() as uow:
            uow.ops.finish_run(run_id, values)
            capture_run(uow.signals, result, self.clock.now())  # validation signals for `eros reflect`
            uow.commit()
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
        with self.uow() as uow:
            rows = uow.ops.finished_runs(
                pipeline,
                since=iso_z(since) if since is not None else None,
                limit=limit,
                creator_id=creator_id,
            )
        return [RunRecord.from_row(row) for row in rows]

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
        with self.uow() as uow:
            row = uow.ops.rollback_state_row()
        if row is None or row["state"] != ACTIVE_STATE or not row["updated_at"]:
            return None
        return parse_instant(str(row["updated_at"]))

    def should_rollback(self, pipeline: str = "v5") -> tuple[bool, str]:
        """(fire?, reason) — the reason names every trigger that fired, with its value and window."""
        return verdict(self.rollback_triggers(pipeline))

    def in_flight(self, pipeline: str = "v5") -> int:
        """Unfinished runs whose lease still holds (past it, the process running them died)."""
        return len(self._leases(pipeline)[0])

    def abandoned(self, pipeline: str = "v5") -> int:
        """Unfinished runs past their lease (or from before leases): their process died mid-run."""
        return self._leases(pipeline)[1]

    def drain_budget(self, pipeline: str = "v5") -> timedelta:
        """How long a rollback drain may wait for this pipeline's in-flight runs (`control.leases`)."""
        return drain_budget(self.clock.now(), self._leases(pipeline)[0], self.slo)

    def _leases(self, pipeline: str) -> tuple[list[datetime], int]:
        """(the leases of the in-flight runs, how many unfinished runs are abandoned)."""
        now = self.clock.now()
        with self.uow() as uow:
            stored = uow.ops.unfinished_leases(pipeline)
        leases = [parse_instant(text) for text in stored if text]
        live = [expires for expires in leases if is_leased(expires, now)]
        return live, len(stored) - len(live)

    def get_status(self, pipeline: str = "v5") -> dict[str, Any]:
        """The runbook's status: `health`, `success_rate` (1.0 with no runs; see `runs`) and the rest."""
        stats = self.stats(pipeline)
        triggers = self.rollback_triggers(pipeline)
        fire, reason = verdict(triggers)
        with self.uow() as uow:
            state_row = uow.ops.rollback_state_row()
            open_alerts = [row["code"] for row in uow.ops.alert_rows(open_only=True, limit=50)]
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
            "rollback_state": state_row["state"] if state_row is not None else ACTIVE_STATE,
            "in_flight": {"v4": self.in_flight("v4"), "v5": self.in_flight("v5")},
            "abandoned": {"v4": self.abandoned("v4"), "v5": self.abandoned("v5")},
            "open_alerts": open_alerts,
            "v4": asdict(self.stats("v4")),
        }

    # --- alerting --------------------------------------------------------------------

    async def evaluate_alerts(self) -> list[Alert]:
        """Raise each metric alert whose condition holds (once per episode); resolve the others."""
        stats = self.stats("v5")
        raised: list[Alert] = []
        for code, holds in alert_conditions(stats, self.slo).items():
            message = alert_message(code, stats)
            raised += await self._raise_or_resolve(code, holds, message, asdict(stats))
        shadow = self.shadow_summary()
        raised += await self._raise_or_resolve(
            AlertCode.V5_SHADOW_DIFF_LOW,
            shadow_diff_holds(shadow, self.slo),
            shadow_diff_message(shadow),
            asdict(shadow),
        )
        return raised

    async def _raise_or_resolve(
        self, code: AlertCode, holds: bool, message: str, metrics: dict[str, Any]
    ) -> list[Alert]:
        if not holds:
            await self.alerts.resolve(code)
            return []
        alert = await self.alerts.raise_alert(code, message, metrics=metrics)
        return [alert] if alert is not None else []

    def shadow_summary(self) -> ShadowSummary:
        """The shadow comparisons of the status window (the plan's "Shadow comparison diff")."""
        now = self.clock.now()
        with self.uow() as uow:
            rows = uow.rollout.comparisons_between(
                iso_z(now - self.slo.status_window), iso_z(now + timedelta(seconds=1))
            )
        return summarise(rows)
