"""Shadow mode (ARCHITECTURE D5): run v4 for real and v5 dry, compare them, keep the comparison.

Scientist's semantics: the caller always gets the control's (v4) result; the candidate (v5)
runs with `dry_run=True` under a timeout, and its exceptions are recorded, never raised. The
comparison itself is pure (`eros.control.shadow_diff`) and is persisted per run so every
process and the daily report (`eros shadow report`) see it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from eros.clock import Clock, iso_z, parse_instant
from eros.control.alerts import Alert
from eros.control.shadow_diff import (
    Comparison,
    ComparisonOutcome,
    ShadowReport,
    compare_results,
    daily_report,
    schedule_items,
    violation_codes,
)
from eros.control.slo import AlertCode
from eros.errors import InvalidInput
from eros.models import ScheduleItem
from eros.ports import ToolClient, UnitOfWorkFactory
from eros.rules.timing import checked_date
from eros.services.alerting import AlertManager
from eros.services.monitor import PipelineMonitor, RunRecording
from eros.services.pipeline_run import PipelineResult, PipelineRunner
from eros.services.preflight import PreflightEngine
from eros.validation.gates import evaluate_gates, facts_from_context

logger = logging.getLogger("eros.comparator")

#: The runbook's v5 timeout symptom (§3.1: "Execution exceeds 180s") bounds a shadow run.
DEFAULT_SHADOW_TIMEOUT_S = 180.0

#: Re-checks items against fresh data; returns the hard-gate codes it confirms.
GateRecheck = Callable[[str, str, Sequence[Mapping[str, Any]]], Awaitable[Sequence[str]]]


class ShadowComparator:
    """Runs v4 (returned, saved by v4 itself) and v5 dry (compared, never saved).

    With a monitor, both runs are recorded: v4's as a production run, v5's as a shadow run.
    `recheck` confirms v5's reported hard-gate violations independently of whatever v5's
    validator saw (in production `fresh_gate_recheck`).
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        v4_runner: PipelineRunner,
        v5_runner: PipelineRunner,
        recheck: GateRecheck,
        monitor: PipelineMonitor | None = None,
        timeout_s: float = DEFAULT_SHADOW_TIMEOUT_S,
    ) -> None:
        self._v4, self._v5 = v4_runner, v5_runner
        self._monitor = monitor
        self._uow, self._clock = uow, clock
        self._timeout_s = timeout_s
        self._recheck = recheck
        self.last_comparison: Comparison | None = None

    async def run(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        """v4's result, always; a v4 exception is recorded and re-raised (it is production's).

        `dry_run` applies to v4 (a caller's dry run saves nothing); v5 is always dry.
        """
        v4_run = self._recording("v4", creator_id, week_start, shadow=False)
        try:
            with v4_run:
                v4 = await self._v4(creator_id, week_start, dry_run=dry_run)
                v4_run.result = v4
        except BaseException as exc:
            self._store(
                Comparison(
                    creator_id=creator_id,
                    week_start=week_start,
                    created_at=iso_z(self._clock.now()),
                    outcome=ComparisonOutcome.V4_ERROR,
                    v4_run_id=v4_run.run_id,
                    details={"v4_error": f"{type(exc).__name__}: {exc}"},
                )
            )
            raise
        v5_run = self._recording("v5", creator_id, week_start, shadow=True)
        v5, error, timed_out, v5_ms = await self._run_candidate(creator_id, week_start, v5_run)
        comparison = compare_results(
            v4,
            v5,
            v5_error=error,
            timed_out=timed_out,
            confirmed_codes=await self._confirmed_codes(v5),
            durations_ms=(v4_run.elapsed_ms, v5_ms),
            at=iso_z(self._clock.now()),
        )
        comparison.v4_run_id, comparison.v5_run_id = v4_run.run_id, v5_run.run_id
        self._store(comparison)
        return v4

    async def _run_candidate(
        self, creator_id: str, week_start: str, recording: RunRecording
    ) -> tuple[PipelineResult | None, str | None, bool, float]:
        try:
            with recording:
                result = await asyncio.wait_for(
                    self._v5(creator_id, week_start, dry_run=True), timeout=self._timeout_s
                )
                recording.result = result
        except TimeoutError:
            return None, f"v5 shadow run exceeded {self._timeout_s:g}s", True, self._timeout_s * 1000
        except Exception as exc:
            digest = hashlib.sha256(traceback.format_exc().encode()).hexdigest()[:12]
            error = f"{type(exc).__name__}: {exc} [traceback {digest}]"
            return None, error, False, recording.elapsed_ms
        return result, None, False, recording.elapsed_ms

    def _recording(self, pipeline: str, creator_id: str, week_start: str, *, shadow: bool) -> RunRecording:
        """A monitored run row (v5's marked shadow, so it never counts toward the live SLOs)."""
        return RunRecording(
            self._monitor,
            self._clock,
            pipeline,
            creator_id,
            week_start,
            route_reason="shadow_mode",
            shadow=shadow,
        )

    async def _confirmed_codes(self, v5: PipelineResult | None) -> Sequence[str] | None:
        if v5 is None or not violation_codes(v5):
            return None
        try:
            return await self._recheck(v5.creator_id, v5.week_start, schedule_items(v5))
        except Exception:
            logger.exception("hard-gate re-check failed for %s %s", v5.creator_id, v5.week_start)
            return None

    def _store(self, comparison: Comparison) -> None:
        with self._uow() as uow:
            comparison.id = uow.rollout.insert_comparison(comparison.row())
            uow.commit()
        self.last_comparison = comparison
        level = logging.WARNING if comparison.outcome in ComparisonOutcome.V5_FAILURES else logging.INFO
        logger.log(
            level,
            "shadow comparison %s %s: %s quality_diff=%s false_positives=%d%s",
            comparison.creator_id,
            comparison.week_start,
            comparison.outcome,
            comparison.quality_diff,
            comparison.hard_gate_false_positives,
            f" error={comparison.v5_error}" if comparison.v5_error else "",
        )


def fresh_gate_recheck(connect: Callable[[], ToolClient], clock: Clock) -> GateRecheck:
    """Re-evaluate the hard gates (eros.validation.gates) against a context fetched now,
    through a client `connect` opens for each re-check."""

    async def recheck(creator_id: str, week_start: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
        context = await PreflightEngine(connect(), clock=clock).execute(creator_id, week_start)
        schedule = [ScheduleItem.model_validate(item) for item in items]
        return [v.code for v in evaluate_gates(schedule, facts_from_context(context))]

    return recheck


def shadow_report(uow: UnitOfWorkFactory, clock: Clock, day: date | str | None = None) -> ShadowReport:
    """The comparisons of one UTC day (default: today by the clock), with what needs a look."""
    if day is None:
        day = clock.now().date()
    elif isinstance(day, str):
        day = checked_date(day, "day")
    start = parse_instant(day.isoformat())
    with uow() as work:
        rows = work.rollout.comparisons_between(iso_z(start), iso_z(start + timedelta(days=1)))
    return daily_report(day, rows)


# --- the daily report, delivered -------------------------------------------------------------


class DeliveryStatus(StrEnum):
    DELIVERED = "delivered"
    ALREADY_DELIVERED = "already_delivered"
    NO_COMPARISONS = "no_comparisons"


@dataclass(frozen=True, slots=True)
class ShadowDelivery:
    """What delivering one day's report did; `sinks` maps each sink it went to onto its success."""

    report: ShadowReport
    status: DeliveryStatus
    alert: Alert | None = None
    sinks: dict[str, bool] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the operator (sink names only: never a webhook URL)."""
        day = self.report.day.isoformat()
        if self.status is DeliveryStatus.NO_COMPARISONS:
            return f"shadow report {day}: no comparisons, nothing delivered"
        if self.status is DeliveryStatus.ALREADY_DELIVERED:
            return f"shadow report {day}: already delivered, not sent again"
        sent = ", ".join(f"{sink}:{'ok' if ok else 'FAILED'}" for sink, ok in self.sinks.items())
        return f"shadow report {day} delivered: {sent}"


def report_episode(day: date) -> str:
    """The alerts-table key that records a day's report as sent (one row per day, ever)."""
    return f"{AlertCode.SHADOW_DAILY_REPORT}:{day.isoformat()}"


def outcome_text(outcomes: Mapping[str, int]) -> str:
    """A creator's outcomes of the day: `matched`, or `matched×2, v5_error×1` when there were several."""
    if len(outcomes) == 1 and sum(outcomes.values()) == 1:
        return next(iter(outcomes))
    return ", ".join(f"{outcome}×{count}" for outcome, count in outcomes.items())


def _num(value: float | None, sign: str = "") -> str:
    return "n/a" if value is None else f"{value:{sign}.1f}"


def report_text(report: ShadowReport) -> str:
    """The report as the operations channel reads it: the summary, one line per creator, attention."""
    s = report.summary
    rate = f"{s.v5_failure_rate:.1%}" if s.v5_failure_rate is not None else "n/a"
    lines = [
        f"Shadow comparisons {report.day.isoformat()}: {s.comparisons} compared, v5 failures "
        f"{s.v5_failures} ({rate}), {s.mismatched} mismatched, quality v4 {_num(s.v4_quality_avg)} "
        f"v5 {_num(s.v5_quality_avg)} (diff {_num(s.quality_diff_avg, '+')}), revenue diff "
        f"{_num(s.revenue_diff_avg, '+')}, hard-gate false positives {s.hard_gate_false_positives}, "
        f"regressions {s.hard_gate_regressions}"
    ]
    lines += [
        f"- {c['creator_id']}: {outcome_text(c['outcomes'])}; quality v4 {_num(c['v4_quality_avg'])} "
        f"v5 {_num(c['v5_quality_avg'])} (diff {_num(c['quality_diff_avg'], '+')}); revenue diff "
        f"{_num(c['revenue_diff_avg'], '+')}; hard gates v4 {c['v4_hard_gate_violations']} "
        f"v5 {c['v5_hard_gate_violations']}"
        for c in report.per_creator
    ]
    lines += [f"attention: {note}" for note in report.attention] or ["Nothing needs attention."]
    return "\n".join(lines)


async def deliver_shadow_report(
    uow: UnitOfWorkFactory, clock: Clock, alerts: AlertManager, day: date | str | None = None
) -> ShadowDelivery:
    """Send one finished UTC day's report (default: yesterday) through the alert sinks, once.

    The one entry point for `eros shadow report --deliver`, `eros watch` and a periodic task:
    a day already sent is a no-op, a day without comparisons sends nothing (and stays unsent),
    and a day not over yet is refused, so the complete day is what the channel gets.
    """
    today = clock.now().date()
    if day is None:
        day = today - timedelta(days=1)
    when = checked_date(day, "day") if isinstance(day, str) else day
    if when >= today:
        raise InvalidInput(
            f"{when.isoformat()} is not over yet (UTC); its report is delivered after midnight",
            code="SHADOW_DAY_NOT_OVER",
        )
    report = shadow_report(uow, clock, when)
    if report.summary.comparisons + report.summary.v4_errors == 0:
        return ShadowDelivery(report, DeliveryStatus.NO_COMPARISONS)
    alert = await alerts.notify_once(
        AlertCode.SHADOW_DAILY_REPORT,
        report_text(report),
        episode_key=report_episode(when),
        metrics=report.as_dict()["summary"],
    )
    if alert is None:
        return ShadowDelivery(report, DeliveryStatus.ALREADY_DELIVERED)
    with uow() as work:
        sinks = {row["sink"]: bool(row["delivered"]) for row in work.ops.delivery_rows([alert.id])}
    logger.info("shadow report %s delivered to %s", when.isoformat(), ", ".join(sinks))
    return ShadowDelivery(report, DeliveryStatus.DELIVERED, alert, sinks)
