"""The seed thresholds as code: health bands, alert conditions and rollback triggers at their edges."""

from __future__ import annotations

import pytest

from eros.control.slo import (
    ALERT_DEFINITIONS,
    DEFAULT_SLO,
    SINKS_BY_SEVERITY,
    AlertCode,
    HealthStatus,
    Severity,
)
from eros.control.windows import (
    RunRecord,
    TriggerResult,
    alert_conditions,
    classify_health,
    nearest_rank,
    rollback_triggers,
    stats_by_creator,
    window_stats,
)


def run(
    i: int = 0,
    *,
    success: bool = True,
    seconds: float = 60.0,
    quality: float | None = 85.0,
    gates: int = 0,
) -> RunRecord:
    return RunRecord(
        f"r{i:04d}", "v5", f"c{i}", "2026-01-04T12:00:00Z", seconds * 1000, success, quality, gates
    )


def runs(
    n: int, failures: int = 0, *, seconds: float = 60.0, quality: float | None = 85.0
) -> list[RunRecord]:
    return [run(i, success=i >= failures, seconds=seconds, quality=quality) for i in range(n)]


def fired(triggers: list[TriggerResult], name: str) -> bool:
    return next(t.fired for t in triggers if t.name == name)


def test_seed_thresholds() -> None:
    slo = DEFAULT_SLO
    assert (slo.rollback_success_below, slo.rollback_success_window.total_seconds()) == (0.85, 300)
    assert (slo.rollback_latency_above_s, slo.rollback_latency_consecutive) == (180.0, 3)
    assert (slo.rollback_hard_gate_above, slo.rollback_hard_gate_runs) == (0.10, 10)
    assert (slo.rollback_quality_below, slo.rollback_quality_runs) == (70.0, 10)
    assert (slo.target_success_rate, slo.target_p95_latency_s, slo.target_quality_avg) == (0.95, 120.0, 80.0)
    assert (slo.target_execution_s, slo.target_mcp_calls) == (90.0, 10.0)
    assert (slo.phase_abort_success_below, slo.phase_abort_quality_below) == (0.90, 70.0)
    assert [d.severity for d in ALERT_DEFINITIONS.values()][:6] == [
        Severity.WARNING,
        Severity.CRITICAL,
        Severity.WARNING,
        Severity.CRITICAL,
        Severity.CRITICAL,
        Severity.CRITICAL,
    ]
    assert SINKS_BY_SEVERITY[Severity.WARNING] == {"log", "webhook"}
    assert "pagerduty" in SINKS_BY_SEVERITY[Severity.CRITICAL]


def test_nearest_rank_p95() -> None:
    assert nearest_rank(list(range(1, 101)), 95) == 95
    assert nearest_rank([5.0], 95) == 5.0
    assert nearest_rank([], 95) is None


@pytest.mark.parametrize(
    ("stats_runs", "expected"),
    [
        (runs(100), HealthStatus.HEALTHY),
        (runs(100, failures=5), HealthStatus.DEGRADED),  # 95 % is the warning band (normal is > 95 %)
        (runs(100, failures=10), HealthStatus.DEGRADED),  # 90 % still warning
        (runs(100, failures=11), HealthStatus.UNHEALTHY),  # < 90 % critical
        (runs(20, seconds=90), HealthStatus.DEGRADED),
        (runs(20, seconds=120.5), HealthStatus.UNHEALTHY),
        (runs(20, quality=80), HealthStatus.DEGRADED),
        (runs(20, quality=74.9), HealthStatus.UNHEALTHY),
        (runs(4, failures=4), HealthStatus.HEALTHY),  # too few runs to judge
    ],
)
def test_health_bands(stats_runs: list[RunRecord], expected: HealthStatus) -> None:
    assert classify_health(window_stats(stats_runs)) is expected


def test_hard_gate_health_bands() -> None:
    clean = runs(100)
    assert (
        classify_health(window_stats([*clean[:98], run(98, gates=1), run(99, gates=1)]))
        is HealthStatus.DEGRADED
    )
    spike = clean[:94] + [run(90 + i, gates=1) for i in range(6)]
    assert classify_health(window_stats(spike)) is HealthStatus.UNHEALTHY


def test_alert_conditions_at_their_edges() -> None:
    at_90 = alert_conditions(window_stats(runs(100, failures=10)))
    assert not at_90[AlertCode.V5_SUCCESS_LOW]
    below_90 = alert_conditions(window_stats(runs(100, failures=11)))
    assert below_90[AlertCode.V5_SUCCESS_LOW] and not below_90[AlertCode.V5_SUCCESS_CRITICAL]
    assert alert_conditions(window_stats(runs(100, failures=16)))[AlertCode.V5_SUCCESS_CRITICAL]
    assert not alert_conditions(window_stats(runs(20, seconds=120)))[AlertCode.V5_LATENCY_HIGH]
    slow = alert_conditions(window_stats(runs(20, seconds=180.5)))
    assert slow[AlertCode.V5_LATENCY_HIGH] and slow[AlertCode.V5_LATENCY_CRITICAL]
    assert not any(alert_conditions(window_stats(runs(4, failures=4))).values())


def test_success_trigger_boundary() -> None:
    assert not fired(rollback_triggers(runs(100, failures=15), []), "success_rate")  # 85 % is not < 85 %
    assert fired(rollback_triggers(runs(100, failures=16), []), "success_rate")
    assert not fired(rollback_triggers(runs(4, failures=4), []), "success_rate")  # too few runs


def test_latency_trigger_needs_three_consecutive_slow_runs() -> None:
    slow, fast = run(1, seconds=180.5), run(2, seconds=60)
    assert fired(rollback_triggers([], [slow, slow, slow, fast]), "p95_latency")
    assert not fired(rollback_triggers([], [slow, slow, fast, slow]), "p95_latency")
    assert not fired(rollback_triggers([], [run(3, seconds=180)] * 3), "p95_latency")  # 180 s is not > 180 s
    assert not fired(rollback_triggers([], [slow, slow]), "p95_latency")


def test_hard_gate_trigger_counts_runs_of_the_last_ten() -> None:
    clean = runs(10)
    one = [run(0, gates=3), *clean[1:]]
    two = [run(0, gates=1), run(1, gates=1), *clean[2:]]
    assert not fired(rollback_triggers([], one), "hard_gate_rate")  # 10 % is not > 10 %
    assert fired(rollback_triggers([], two), "hard_gate_rate")
    assert not fired(rollback_triggers([], [*clean, run(10, gates=1), run(11, gates=1)]), "hard_gate_rate")


def test_quality_trigger_needs_ten_scored_runs() -> None:
    assert fired(rollback_triggers([], runs(10, quality=69.9)), "quality_avg")
    assert not fired(rollback_triggers([], runs(10, quality=70)), "quality_avg")
    assert not fired(rollback_triggers([], runs(9, quality=10)), "quality_avg")


def test_stats_by_creator_groups_runs_per_creator_in_creator_order() -> None:
    records = [run(0, success=False), run(1), run(2)]
    records += [RunRecord("r0003", "v5", "c0", "2026-01-04T12:00:00Z", 60000, True, 85.0, 0)]
    per_creator = stats_by_creator(records)
    assert list(per_creator) == ["c0", "c1", "c2"]
    assert (per_creator["c0"].runs, per_creator["c0"].success_rate) == (2, 0.5)
    assert per_creator["c1"].success_rate == 1.0
