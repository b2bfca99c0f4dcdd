"""Shadow mode (ARCHITECTURE D5): run v4 for real and v5 dry, compare them, keep the comparison.

Scientist's semantics: the caller always gets the control's (v4) result; the candidate (v5)
runs with `dry_run=True` under a timeout, and its exceptions are recorded, never raised. The
comparison is structural (per-day counts per category, PPV count and prices, quality, hard
gates, expected revenue, durations, MCP calls) and is persisted per run so every process and
the daily report (`eros shadow report`) see it. A v5-reported hard-gate violation that an
independent re-check on fresh data does not confirm is a false positive (seed 000, Phase 0:
"Hard gate false positives: 0").
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import traceback
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from eros.clock import Clock, iso_z, parse_instant
from eros.control.phases import PHASES
from eros.db.rollout_repo import RolloutRepository
from eros.models import ScheduleItem
from eros.rules.send_types import PPV_TYPES, SEND_TYPES
from eros.services.monitor import RunRecording
from eros.services.pipeline_run import PipelineResult, PipelineRunner

if TYPE_CHECKING:
    from eros.bootstrap import Container
    from eros.services.monitor import PipelineMonitor

logger = logging.getLogger("eros.comparator")

#: The runbook's v5 timeout symptom (§3.1: "Execution exceeds 180s") bounds a shadow run.
DEFAULT_SHADOW_TIMEOUT_S = 180.0

#: Re-checks items against fresh data; returns the hard-gate codes it confirms.
GateRecheck = Callable[[str, str, Sequence[Mapping[str, Any]]], Awaitable[Sequence[str]]]


class ComparisonOutcome:
    """Values of `shadow_comparisons.outcome`."""

    MATCHED = "matched"
    MISMATCHED = "mismatched"
    V5_FAILED = "v5_failed"
    V5_ERROR = "v5_error"
    V5_TIMEOUT = "v5_timeout"
    V4_ERROR = "v4_error"

    V5_FAILURES = frozenset({V5_FAILED, V5_ERROR, V5_TIMEOUT})


def schedule_items(result: PipelineResult | None) -> list[Mapping[str, Any]]:
    if result is None or not result.schedule:
        return []
    return list(result.schedule.get("items") or [])


def violation_codes(result: PipelineResult | None) -> list[str]:
    """The hard-gate codes a pipeline reported (one per violation)."""
    if result is None or not result.validation:
        return []
    return [str(v.get("code")) for v in result.validation.get("violations") or [] if v.get("code")]


@dataclass(frozen=True, slots=True)
class Structure:
    """The comparable shape of a schedule (Scientist's `clean()` projection)."""

    per_day_category: dict[str, dict[str, int]]
    ppv_count: int
    ppv_prices: list[float]
    total_items: int

    @classmethod
    def of(cls, items: Sequence[Mapping[str, Any]]) -> Structure:
        per_day: dict[str, Counter[str]] = defaultdict(Counter)
        prices: list[float] = []
        for item in items:
            key = str(item.get("send_type_key"))
            send_type = SEND_TYPES.get(key)
            per_day[str(item.get("scheduled_date"))][
                send_type.category.value if send_type else "unknown"
            ] += 1
            if key in PPV_TYPES:
                prices.append(float(item.get("price") or 0.0))
        return cls(
            per_day_category={day: dict(sorted(c.items())) for day, c in sorted(per_day.items())},
            ppv_count=len(prices),
            ppv_prices=sorted(prices),
            total_items=len(items),
        )


def _diff(v5: float | None, v4: float | None) -> float | None:
    return None if v5 is None or v4 is None else round(v5 - v4, 4)


def _duration(result: PipelineResult | None, measured_ms: float) -> float:
    return result.total_duration_ms if result is not None and result.total_duration_ms > 0 else measured_ms


@dataclass
class Comparison:
    """One shadow run's comparison, as stored in `shadow_comparisons`."""

    creator_id: str
    week_start: str
    created_at: str
    outcome: str
    v4_quality: float | None = None
    v5_quality: float | None = None
    quality_diff: float | None = None
    v4_hard_gate_violations: int | None = None
    v5_hard_gate_violations: int | None = None
    hard_gate_false_positives: int = 0
    revenue_diff: float | None = None
    v4_duration_ms: float | None = None
    v5_duration_ms: float | None = None
    v4_mcp_calls: int | None = None
    v5_mcp_calls: int | None = None
    v5_error: str | None = None
    v4_run_id: str | None = None
    v5_run_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None

    def row(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "id"}


def compare_results(
    v4: PipelineResult,
    v5: PipelineResult | None,
    *,
    v5_error: str | None,
    timed_out: bool,
    confirmed_codes: Sequence[str] | None,
    durations_ms: tuple[float, float],
    at: str,
) -> Comparison:
    """Pure: build the comparison of one shadow run.

    `confirmed_codes` are the v5-reported gate codes an independent re-check confirmed
    (None when no re-check ran: every v5-reported violation is then taken at its word).
    """
    v4_structure = Structure.of(schedule_items(v4))
    comparison = Comparison(
        creator_id=v4.creator_id,
        week_start=v4.week_start,
        created_at=at,
        outcome=ComparisonOutcome.MATCHED,
        v4_quality=v4.quality_score,
        v4_hard_gate_violations=v4.hard_gate_violations,
        v4_duration_ms=_duration(v4, durations_ms[0]),
        v4_mcp_calls=v4.mcp_calls_total,
        details={"v4": asdict(v4_structure), "v4_reported_codes": violation_codes(v4)},
    )
    if timed_out or v5 is None:
        comparison.outcome = ComparisonOutcome.V5_TIMEOUT if timed_out else ComparisonOutcome.V5_ERROR
        comparison.v5_error = v5_error
        comparison.v5_duration_ms = durations_ms[1]
        return comparison
    reported = violation_codes(v5)
    remaining = Counter(reported if confirmed_codes is None else confirmed_codes)
    unconfirmed = []
    for code in reported:
        if remaining[code] > 0:
            remaining[code] -= 1
        else:
            unconfirmed.append(code)
    v5_structure = Structure.of(schedule_items(v5))
    confirmed = len(reported) - len(unconfirmed)
    comparison.v5_quality = v5.quality_score
    comparison.quality_diff = _diff(v5.quality_score, v4.quality_score)
    comparison.v5_hard_gate_violations = v5.hard_gate_violations
    comparison.hard_gate_false_positives = len(unconfirmed)
    comparison.revenue_diff = _diff(v5.expected_revenue, v4.expected_revenue)
    comparison.v5_duration_ms = _duration(v5, durations_ms[1])
    comparison.v5_mcp_calls = v5.mcp_calls_total
    comparison.details.update(
        v5=asdict(v5_structure),
        v5_reported_codes=reported,
        false_positive_codes=unconfirmed,
        rechecked=confirmed_codes is not None,
        hard_gate_regression=confirmed > 0 and not v4.hard_gate_violations,
    )
    if not v5.success:
        comparison.outcome = ComparisonOutcome.V5_FAILED
        comparison.v5_error = "; ".join(v5.errors) or "v5 reported failure"
    elif asdict(v5_structure) != asdict(v4_structure) or reported != violation_codes(v4):
        comparison.outcome = ComparisonOutcome.MISMATCHED
    return comparison


class ShadowComparator:
    """Runs v4 (returned, saved by v4 itself) and v5 dry (compared, never saved).

    With a monitor, both runs are recorded: v4's as a production run, v5's as a shadow run.

    `recheck` defaults to `fresh_gate_recheck(container)`: the gates re-evaluated on a freshly
    fetched context, independent of whatever v5's validator saw.
    """

    def __init__(
        self,
        container: Container,
        *,
        v4_runner: PipelineRunner,
        v5_runner: PipelineRunner,
        monitor: PipelineMonitor | None = None,
        timeout_s: float = DEFAULT_SHADOW_TIMEOUT_S,
        recheck: GateRecheck | None = None,
    ) -> None:
        self._v4, self._v5 = v4_runner, v5_runner
        self._monitor = monitor
        self._engine, self._clock = container.engine, container.clock
        self._timeout_s = timeout_s
        self._recheck = recheck or fresh_gate_recheck(container)
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
        with self._engine.begin() as conn:
            comparison.id = RolloutRepository(conn).insert_comparison(comparison.row())
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


def fresh_gate_recheck(container: Container) -> GateRecheck:
    """Re-evaluate the hard gates (eros.validation.gates) against a context fetched now."""

    async def recheck(creator_id: str, week_start: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
        from eros.bootstrap import connect_client
        from eros.services.preflight import PreflightEngine
        from eros.validation.gates import evaluate_gates, facts_from_context

        context = await PreflightEngine(connect_client(container), clock=container.clock).execute(
            creator_id, week_start
        )
        schedule = [ScheduleItem.model_validate(item) for item in items]
        return [v.code for v in evaluate_gates(schedule, facts_from_context(context))]

    return recheck


# --- aggregation: the daily report and the shadow phase's metrics --------------------


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(fmean(present), 4) if present else None


@dataclass(frozen=True, slots=True)
class ShadowSummary:
    """Aggregates over a set of comparisons (v4 errors are not v5's fault and are excluded)."""

    comparisons: int
    v5_failures: int
    v5_timeouts: int
    mismatched: int
    v4_errors: int
    v4_quality_avg: float | None
    v5_quality_avg: float | None
    quality_diff_avg: float | None
    v4_hard_gate_violations: int
    v5_hard_gate_violations: int
    hard_gate_false_positives: int
    hard_gate_regressions: int
    revenue_diff_avg: float | None
    v4_duration_ms_avg: float | None
    v5_duration_ms_avg: float | None
    v4_mcp_calls_avg: float | None
    v5_mcp_calls_avg: float | None

    @property
    def v5_failure_rate(self) -> float | None:
        return self.v5_failures / self.comparisons if self.comparisons else None

    def phase_metrics(self) -> dict[str, float | None]:
        """The shadow phase's metrics (`eros.rollout_phases`, Phase 0)."""
        return {
            "comparisons": self.comparisons,
            "v5_failure_rate": self.v5_failure_rate,
            "quality_diff_avg": self.quality_diff_avg,
            "hard_gate_false_positives": self.hard_gate_false_positives,
            "hard_gate_regressions": self.hard_gate_regressions,
        }


def summarise(rows: Sequence[Mapping[str, Any]]) -> ShadowSummary:
    counted = [r for r in rows if r["outcome"] != ComparisonOutcome.V4_ERROR]
    details = [json.loads(r["details_json"] or "{}") for r in counted]
    return ShadowSummary(
        comparisons=len(counted),
        v5_failures=sum(r["outcome"] in ComparisonOutcome.V5_FAILURES for r in counted),
        v5_timeouts=sum(r["outcome"] == ComparisonOutcome.V5_TIMEOUT for r in counted),
        mismatched=sum(r["outcome"] == ComparisonOutcome.MISMATCHED for r in counted),
        v4_errors=len(rows) - len(counted),
        v4_quality_avg=_mean([r["v4_quality"] for r in counted]),
        v5_quality_avg=_mean([r["v5_quality"] for r in counted]),
        quality_diff_avg=_mean([r["quality_diff"] for r in counted]),
        v4_hard_gate_violations=sum(r["v4_hard_gate_violations"] or 0 for r in counted),
        v5_hard_gate_violations=sum(r["v5_hard_gate_violations"] or 0 for r in counted),
        hard_gate_false_positives=sum(r["hard_gate_false_positives"] or 0 for r in counted),
        hard_gate_regressions=sum(bool(d.get("hard_gate_regression")) for d in details),
        revenue_diff_avg=_mean([r["revenue_diff"] for r in counted]),
        v4_duration_ms_avg=_mean([r["v4_duration_ms"] for r in counted]),
        v5_duration_ms_avg=_mean([r["v5_duration_ms"] for r in counted]),
        v4_mcp_calls_avg=_mean([r["v4_mcp_calls"] for r in counted]),
        v5_mcp_calls_avg=_mean([r["v5_mcp_calls"] for r in counted]),
    )


def shadow_summary(engine: Engine, since: datetime, until: datetime) -> ShadowSummary:
    with engine.connect() as conn:
        return summarise(RolloutRepository(conn).comparisons_between(iso_z(since), iso_z(until)))


@dataclass(frozen=True, slots=True)
class ShadowReport:
    """The plan's daily comparison report (seed 000, Phase 0 "Daily Tasks")."""

    day: date
    summary: ShadowSummary
    failures: list[dict[str, Any]]
    per_creator: list[dict[str, Any]]
    attention: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "summary": {**asdict(self.summary), "v5_failure_rate": self.summary.v5_failure_rate},
            "failures": self.failures,
            "per_creator": self.per_creator,
            "attention": self.attention,
        }


def shadow_report(
    day: date | str | None = None, *, engine: Engine | None = None, clock: Clock | None = None
) -> ShadowReport:
    """The comparisons of one UTC day (default: today by the clock), with what needs a look.

    Without an engine or clock it reads the configured database (EROS_DB_PATH / EROS_NOW),
    as the runbook's no-argument constructors do.
    """
    if engine is None or clock is None:
        from eros.bootstrap import bootstrap

        container = bootstrap()
        engine, clock = engine or container.engine, clock or container.clock
    if day is None:
        day = clock.now().date()
    elif isinstance(day, str):
        day = parse_instant(day).date()
    start = parse_instant(day.isoformat())
    with engine.connect() as conn:
        rows = RolloutRepository(conn).comparisons_between(iso_z(start), iso_z(start + timedelta(days=1)))
    summary = summarise(rows)
    failures = [
        {
            "creator_id": r["creator_id"],
            "week_start": r["week_start"],
            "outcome": r["outcome"],
            "error": r["v5_error"],
        }
        for r in rows
        if r["outcome"] in ComparisonOutcome.V5_FAILURES
    ]
    by_creator: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_creator[r["creator_id"]].append(r)
    per_creator = [
        {
            "creator_id": creator,
            "runs": len(creator_rows),
            "v5_failures": sum(r["outcome"] in ComparisonOutcome.V5_FAILURES for r in creator_rows),
            "quality_diff_avg": _mean([r["quality_diff"] for r in creator_rows]),
            "revenue_diff_avg": _mean([r["revenue_diff"] for r in creator_rows]),
            "false_positives": sum(r["hard_gate_false_positives"] or 0 for r in creator_rows),
        }
        for creator, creator_rows in sorted(by_creator.items())
    ]
    return ShadowReport(day, summary, failures, per_creator, _attention(summary))


def _attention(summary: ShadowSummary) -> list[str]:
    """What the on-call should look at: the day judged by the shadow phase's criteria and triggers
    (seed 000 Phase 0; the quality criterion is also the plan's "Shadow comparison diff" alert)."""
    metrics = summary.phase_metrics()
    shadow = PHASES[0]
    notes = [
        f"rollback trigger {c} fired (value {metrics[c.metric]:.4g})"
        for c in shadow.rollback_triggers
        if c.holds(metrics)
    ]
    notes += [
        f"Phase 0 criterion {c} not met (value {metrics[c.metric]:.4g})"
        for c in shadow.success
        if c.metric != shadow.sample_metric and c.holds(metrics) is False
    ]
    return notes
