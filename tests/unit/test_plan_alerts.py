"""The rollout plan's Key Metrics alerts (issue 12 item 4) at their boundaries, beside the runbook's six."""

from __future__ import annotations

from dataclasses import replace

from eros.control.shadow_diff import summarise
from eros.control.slo import (
    ALERT_DEFINITIONS,
    DEFAULT_SLO,
    SINKS_BY_SEVERITY,
    AlertCode,
    Severity,
    sinks_for,
)
from eros.control.windows import (
    RunRecord,
    alert_conditions,
    shadow_diff_holds,
    shadow_diff_message,
    window_stats,
)

RUNBOOK_SIX = {
    AlertCode.V5_SUCCESS_LOW: ("success_rate < 90%", Severity.WARNING),
    AlertCode.V5_SUCCESS_CRITICAL: ("success_rate < 85%", Severity.CRITICAL),
    AlertCode.V5_LATENCY_HIGH: ("p95 > 120s", Severity.WARNING),
    AlertCode.V5_LATENCY_CRITICAL: ("p95 > 180s", Severity.CRITICAL),
    AlertCode.V5_HARD_GATE_SPIKE: ("rate > 5%", Severity.CRITICAL),
    AlertCode.V5_AUTO_ROLLBACK: ("triggered", Severity.CRITICAL),
}


def runs(n: int, failures: int = 0, *, quality: float | None = 85.0) -> list[RunRecord]:
    return [
        RunRecord(f"r{i:04d}", "v5", f"c{i}", "2026-01-04T12:00:00Z", 30_000, i >= failures, quality, 0)
        for i in range(n)
    ]


def holds(code: AlertCode, n: int, failures: int = 0, *, quality: float | None = 85.0) -> bool:
    return alert_conditions(window_stats(runs(n, failures, quality=quality)))[code]


def test_the_runbooks_six_alerts_are_unchanged() -> None:
    assert {
        code: (ALERT_DEFINITIONS[code].condition, ALERT_DEFINITIONS[code].severity) for code in RUNBOOK_SIX
    } == RUNBOOK_SIX
    assert (DEFAULT_SLO.alert_success_low, DEFAULT_SLO.alert_success_critical) == (0.90, 0.85)


def test_plan_alerts_are_warnings_through_the_warning_sinks() -> None:
    for code in (AlertCode.V5_SUCCESS_BELOW_PLAN, AlertCode.V5_QUALITY_LOW, AlertCode.V5_SHADOW_DIFF_LOW):
        definition = ALERT_DEFINITIONS[code]
        assert definition.severity is Severity.WARNING
        assert sinks_for(code, definition.severity) == SINKS_BY_SEVERITY[Severity.WARNING]
    assert ALERT_DEFINITIONS[AlertCode.V5_SUCCESS_BELOW_PLAN].condition == "success_rate < 95%"
    assert ALERT_DEFINITIONS[AlertCode.V5_QUALITY_LOW].condition == "quality avg < 80"
    assert ALERT_DEFINITIONS[AlertCode.V5_SHADOW_DIFF_LOW].condition == "shadow quality diff < -5"


def test_success_alerts_below_95_percent_not_at_it() -> None:
    assert not holds(AlertCode.V5_SUCCESS_BELOW_PLAN, 20, failures=1)  # 19/20 = 95 %
    assert holds(AlertCode.V5_SUCCESS_BELOW_PLAN, 20, failures=2)  # 18/20 = 90 %
    assert not holds(AlertCode.V5_SUCCESS_BELOW_PLAN, 1000, failures=50)  # 95.0 %
    assert holds(AlertCode.V5_SUCCESS_BELOW_PLAN, 1000, failures=51)  # 94.9 %
    # 90 % exactly: the plan's alert holds, the runbook's V5_SUCCESS_LOW (< 90 %) still does not.
    assert not holds(AlertCode.V5_SUCCESS_LOW, 20, failures=2)


def test_quality_alerts_below_80_not_at_it() -> None:
    assert not holds(AlertCode.V5_QUALITY_LOW, 10, quality=80.0)
    assert holds(AlertCode.V5_QUALITY_LOW, 10, quality=79.9)
    assert not holds(AlertCode.V5_QUALITY_LOW, 10, quality=None), "unscored runs are no quality breach"


def test_plan_alerts_need_as_many_runs_as_the_runbooks() -> None:
    assert not holds(AlertCode.V5_SUCCESS_BELOW_PLAN, DEFAULT_SLO.status_min_runs - 1, failures=4)
    assert not holds(AlertCode.V5_QUALITY_LOW, DEFAULT_SLO.status_min_runs - 1, quality=10.0)
    assert holds(AlertCode.V5_QUALITY_LOW, DEFAULT_SLO.status_min_runs, quality=10.0)


def comparison_row(diff: float | None) -> dict[str, object]:
    return {
        "outcome": "matched",
        "details_json": "{}",
        "v4_quality": 90.0,
        "v5_quality": None if diff is None else 90.0 + diff,
        "quality_diff": diff,
        "v4_hard_gate_violations": 0,
        "v5_hard_gate_violations": 0,
        "hard_gate_false_positives": 0,
        "revenue_diff": 0.0,
        "v4_duration_ms": 1.0,
        "v5_duration_ms": 1.0,
        "v4_mcp_calls": 1,
        "v5_mcp_calls": 1,
    }


def test_shadow_diff_alerts_below_minus_5_not_at_it() -> None:
    at_5 = summarise([comparison_row(-5.0)] * 5)
    below = summarise([comparison_row(-5.1)] * 5)
    assert not shadow_diff_holds(at_5)
    assert shadow_diff_holds(below)
    assert not shadow_diff_holds(replace(below, comparisons=DEFAULT_SLO.status_min_runs - 1))
    assert not shadow_diff_holds(summarise([comparison_row(None)] * 5))
    assert shadow_diff_message(below) == (
        "V5_SHADOW_DIFF_LOW: mean shadow quality diff v5 − v4 -5.1 over 5 comparisons"
    )
