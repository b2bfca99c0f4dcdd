"""The shadow comparison (ARCHITECTURE D5): the structural diff of one v4/v5 pair and the
aggregates over many (the daily report, the shadow phase's metrics).

The diff compares per-day counts per category, PPV count and prices, quality, hard gates,
expected revenue, durations and MCP calls. A v5-reported hard-gate violation that an
independent re-check does not confirm is a false positive (seed 000, Phase 0: "Hard gate
false positives: 0"). Pure: the comparator runs the pipelines and stores what this decides.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from statistics import fmean
from typing import Any, Protocol

from eros.control.phases import PHASES
from eros.rules.send_types import PPV_TYPES, SEND_TYPES


class RunOutcome(Protocol):
    """What the diff reads of a pipeline's result (`eros.services.pipeline_run.PipelineResult`)."""

    @property
    def success(self) -> bool: ...
    @property
    def creator_id(self) -> str: ...
    @property
    def week_start(self) -> str: ...
    @property
    def quality_score(self) -> float | None: ...
    @property
    def hard_gate_violations(self) -> int: ...
    @property
    def expected_revenue(self) -> float | None: ...
    @property
    def errors(self) -> list[str]: ...
    @property
    def schedule(self) -> dict[str, Any] | None: ...
    @property
    def validation(self) -> dict[str, Any] | None: ...
    @property
    def total_duration_ms(self) -> float: ...
    @property
    def mcp_calls_total(self) -> int: ...


class ComparisonOutcome:
    """Values of `shadow_comparisons.outcome`."""

    MATCHED = "matched"
    MISMATCHED = "mismatched"
    V5_FAILED = "v5_failed"
    V5_ERROR = "v5_error"
    V5_TIMEOUT = "v5_timeout"
    V4_ERROR = "v4_error"

    V5_FAILURES = frozenset({V5_FAILED, V5_ERROR, V5_TIMEOUT})


def schedule_items(result: RunOutcome | None) -> list[Mapping[str, Any]]:
    if result is None or not result.schedule:
        return []
    return list(result.schedule.get("items") or [])


def violation_codes(result: RunOutcome | None) -> list[str]:
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


def _duration(result: RunOutcome | None, measured_ms: float) -> float:
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
    v4: RunOutcome,
    v5: RunOutcome | None,
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
        """The shadow phase's metrics (`eros.control.phases`, Phase 0)."""
        return {
            "comparisons": self.comparisons,
            "v5_failure_rate": self.v5_failure_rate,
            "quality_diff_avg": self.quality_diff_avg,
            "hard_gate_false_positives": self.hard_gate_false_positives,
            "hard_gate_regressions": self.hard_gate_regressions,
        }


def summarise(rows: Sequence[Mapping[str, Any]]) -> ShadowSummary:
    """The aggregates over stored comparison rows (`shadow_comparisons`)."""
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


def daily_report(day: date, rows: Sequence[Mapping[str, Any]]) -> ShadowReport:
    """One day's comparisons (oldest first) summarised, with their failures and per-creator lines."""
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
    by_creator: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by_creator[r["creator_id"]].append(r)
    per_creator = [
        {
            "creator_id": creator,
            "runs": len(creator_rows),
            "v5_failures": sum(r["outcome"] in ComparisonOutcome.V5_FAILURES for r in creator_rows),
            "outcomes": dict(sorted(Counter(str(r["outcome"]) for r in creator_rows).items())),
            "v4_quality_avg": _mean([r["v4_quality"] for r in creator_rows]),
            "v5_quality_avg": _mean([r["v5_quality"] for r in creator_rows]),
            "quality_diff_avg": _mean([r["quality_diff"] for r in creator_rows]),
            "revenue_diff_avg": _mean([r["revenue_diff"] for r in creator_rows]),
            "v4_hard_gate_violations": sum(r["v4_hard_gate_violations"] or 0 for r in creator_rows),
            "v5_hard_gate_violations": sum(r["v5_hard_gate_violations"] or 0 for r in creator_rows),
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
