"""PipelineMonitor against a real SQLite file: recorded runs, windows, health, alerts per episode."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from eros.bootstrap import Container, bootstrap, pipeline_monitor
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.control.slo import AlertCode, HealthStatus
from eros.db.engine import make_engine
from eros.db.schema import alerts, pipeline_runs
from eros.services.monitor import PipelineMonitor
from eros.services.pipeline_run import PipelineResult, phase_metrics
from eros.services.shadow import DEFAULT_SHADOW_TIMEOUT_S

NOW = "2026-01-04T12:00:00Z"


@pytest.fixture
def container(empty_db: Engine, tmp_path: Path) -> Container:
    settings = load_settings({"EROS_DB_PATH": str(tmp_path / "eros.db")})
    return bootstrap(settings, FixedClock(parse_instant(NOW), frozen_durations=True), engine=empty_db)


@pytest.fixture
def monitor(container: Container) -> PipelineMonitor:
    return pipeline_monitor(container)


def result(
    creator: str = "alexia", *, success: bool = True, quality: float | None = 85.0, gates: int = 0
) -> PipelineResult:
    return PipelineResult(
        success=success,
        creator_id=creator,
        week_start="2026-01-05",
        pipeline="v5",
        quality_score=quality if success else None,
        hard_gate_violations=gates,
        errors=[] if success else ["generator failed"],
        metrics={"total": phase_metrics("total", 30_000, 4)},
    )


def record(
    monitor: PipelineMonitor,
    n: int,
    *,
    seconds: float = 30.0,
    success: bool = True,
    quality: float | None = 85.0,
    gates: int = 0,
) -> None:
    for i in range(n):
        outcome = result(f"c{i}", success=success, quality=quality, gates=gates)
        monitor.record_execution(outcome, duration_ms=seconds * 1000)


async def test_every_run_is_a_row_and_a_raising_run_is_a_recorded_failure(
    monitor: PipelineMonitor, container: Container
) -> None:
    clock = container.clock
    assert isinstance(clock, FixedClock)

    async def good(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        clock.advance(timedelta(seconds=42))
        return result(creator_id, gates=1)

    async def broken(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        clock.advance(timedelta(seconds=7))
        raise RuntimeError("agent timeout")

    await monitor.observe("v5", good, "alexia", "2026-01-05", route_reason="allowlisted")
    with pytest.raises(RuntimeError):
        await monitor.observe("v5", broken, "luna_free", "2026-01-05", route_reason="percentage_25")
    with container.engine.connect() as conn:
        rows = {r.creator_id: r for r in conn.execute(select(pipeline_runs))}
    ok, bad = rows["alexia"], rows["luna_free"]
    assert (ok.success, ok.duration_ms, ok.quality_score, ok.hard_gate_violations, ok.mcp_calls) == (
        True,
        42_000,
        85.0,
        1,
        4,
    )
    assert (ok.route_reason, ok.started_at, ok.finished_at) == ("allowlisted", NOW, "2026-01-04T12:00:42Z")
    assert (bad.success, bad.duration_ms, bad.route_reason) == (False, 7_000, "percentage_25")
    assert bad.error == "RuntimeError: agent timeout"
    assert monitor.in_flight("v5") == 0


def test_runs_are_one_view_for_every_process(
    monitor: PipelineMonitor, container: Container, tmp_path: Path
) -> None:
    record(monitor, 6, success=False)
    other_engine = make_engine(container.engine.url.render_as_string(hide_password=False))
    other = pipeline_monitor(
        bootstrap(container.settings, FixedClock(parse_instant(NOW)), engine=other_engine)
    )
    status = other.get_status()
    other_engine.dispose()
    assert (status["runs"], status["success_rate"], status["health"]) == (6, 0.0, "unhealthy")


def test_success_trigger_uses_the_five_minute_window(monitor: PipelineMonitor, container: Container) -> None:
    clock = container.clock
    assert isinstance(clock, FixedClock)
    record(monitor, 5, success=False)
    assert monitor.should_rollback()[0]
    clock.advance(timedelta(minutes=5))  # finished exactly 5 minutes ago: still inside
    assert monitor.should_rollback()[0]
    clock.advance(timedelta(seconds=1))  # now outside
    assert not monitor.should_rollback()[0]
    record(monitor, 4, success=False)  # four fresh failures: too few runs to judge
    assert not monitor.should_rollback()[0]


def test_latency_trigger_needs_three_consecutive_slow_runs(monitor: PipelineMonitor) -> None:
    record(monitor, 2, seconds=181)
    assert not monitor.should_rollback()[0]
    record(monitor, 1, seconds=181)
    fire, reason = monitor.should_rollback()
    assert fire and "p95_latency" in reason
    record(monitor, 1, seconds=30)
    assert not monitor.should_rollback()[0]


def test_hard_gate_and_quality_triggers_read_the_last_ten_runs(monitor: PipelineMonitor) -> None:
    record(monitor, 1, gates=2)
    record(monitor, 8)
    assert not monitor.should_rollback()[0]  # one run of the last ten
    record(monitor, 1, gates=1)  # two of the last ten
    fire, reason = monitor.should_rollback()
    assert fire and "hard_gate_rate" in reason
    record(monitor, 1)  # the first violating run leaves the window
    assert not monitor.should_rollback()[0]
    record(monitor, 1, gates=1)
    fire, reason = monitor.should_rollback()
    assert fire and "hard_gate_rate" in reason
    record(monitor, 10, quality=69.0)
    fire, reason = monitor.should_rollback()
    assert fire and "quality_avg" in reason and "hard_gate_rate" not in reason


def test_health_transitions_follow_the_runbook_bands(monitor: PipelineMonitor, container: Container) -> None:
    clock = container.clock
    assert isinstance(clock, FixedClock)
    record(monitor, 19)
    assert monitor.check_health() is HealthStatus.HEALTHY
    record(monitor, 1, success=False)  # 95 %: warning band
    assert monitor.check_health() is HealthStatus.DEGRADED
    record(monitor, 2, success=False)  # 19/22 = 86 %: critical band
    assert monitor.check_health() is HealthStatus.UNHEALTHY
    clock.advance(timedelta(hours=1, seconds=1))  # the status window has emptied
    assert monitor.check_health() is HealthStatus.HEALTHY


def test_shadow_runs_stay_out_of_live_slos(monitor: PipelineMonitor) -> None:
    for i in range(6):
        monitor.record_execution(result(f"c{i}", success=False), duration_ms=1000, shadow=True)
    assert monitor.get_status()["runs"] == 0
    assert not monitor.should_rollback()[0]


def test_per_creator_stats(monitor: PipelineMonitor) -> None:
    monitor.record_execution(result("alexia"), duration_ms=10_000)
    monitor.record_execution(result("alexia", success=False), duration_ms=20_000)
    monitor.record_execution(result("luna_free", quality=90.0), duration_ms=5_000)
    per_creator = monitor.creator_stats()
    assert per_creator["alexia"].success_rate == 0.5 and per_creator["alexia"].p95_latency_s == 20.0
    assert per_creator["luna_free"].quality_avg == 90.0


async def test_alerts_are_raised_once_per_episode(monitor: PipelineMonitor, container: Container) -> None:
    clock = container.clock
    assert isinstance(clock, FixedClock)
    record(monitor, 8)
    record(monitor, 2, success=False)  # 80 %: below 95 % (the plan's), 90 % and 85 %
    first = await monitor.evaluate_alerts()
    assert {a.code for a in first} == {
        AlertCode.V5_SUCCESS_BELOW_PLAN,
        AlertCode.V5_SUCCESS_LOW,
        AlertCode.V5_SUCCESS_CRITICAL,
    }
    record(monitor, 1, success=False)
    assert await monitor.evaluate_alerts() == []  # same episode: nothing new
    with container.engine.connect() as conn:
        assert conn.execute(select(alerts.c.code)).scalars().all().count(AlertCode.V5_SUCCESS_LOW) == 1
    assert set(monitor.get_status()["open_alerts"]) == {
        AlertCode.V5_SUCCESS_BELOW_PLAN,
        AlertCode.V5_SUCCESS_LOW,
        AlertCode.V5_SUCCESS_CRITICAL,
    }

    clock.advance(timedelta(hours=2))  # no runs: the episode ends
    assert await monitor.evaluate_alerts() == []
    assert monitor.get_status()["open_alerts"] == []
    record(monitor, 5, seconds=200)  # a new episode of a different breach
    codes = {a.code for a in await monitor.evaluate_alerts()}
    assert codes == {AlertCode.V5_LATENCY_HIGH, AlertCode.V5_LATENCY_CRITICAL}


def test_status_has_the_keys_the_runbook_reads(monitor: PipelineMonitor) -> None:
    record(monitor, 5)
    status = monitor.get_status()
    assert status["health"] == "healthy"
    assert f"{status['success_rate']:.2%}" == "100.00%"
    assert {
        "p95_latency_s",
        "hard_gate_rate",
        "quality_avg",
        "rollback_state",
        "rollback_triggers",
        "v4",
    } <= set(status)
    assert status["rollback_state"] == "active" and status["should_rollback"] is False


def test_an_unfinished_run_is_in_flight_until_its_lease_runs_out_then_abandoned(
    monitor: PipelineMonitor, container: Container
) -> None:
    clock = container.clock
    assert isinstance(clock, FixedClock)
    monitor.start_run("v5", "alexia", "2026-01-05")
    assert monitor.in_flight("v5") == 1 and monitor.in_flight("v4") == 0
    clock.advance(monitor.slo.run_lease - timedelta(seconds=1))
    assert (monitor.in_flight("v5"), monitor.abandoned("v5")) == (1, 0)  # one second of lease left
    clock.advance(timedelta(seconds=1))
    assert (monitor.in_flight("v5"), monitor.abandoned("v5")) == (0, 1)  # at the expiry: abandoned
    status = monitor.get_status()
    assert status["in_flight"]["v5"] == 0 and status["abandoned"]["v5"] == 1


def test_a_finished_run_is_neither_in_flight_nor_abandoned(monitor: PipelineMonitor) -> None:
    run_id = monitor.start_run("v5", "alexia", "2026-01-05")
    monitor.finish_run(run_id, duration_ms=1000.0, result=result())
    assert (monitor.in_flight("v5"), monitor.abandoned("v5")) == (0, 0)


def test_the_lease_outlasts_the_runbook_v5_timeout(monitor: PipelineMonitor) -> None:
    slo = monitor.slo
    assert slo.run_lease.total_seconds() > slo.alert_latency_critical_s  # 180 s, runbook §3.1
    assert slo.run_lease.total_seconds() > DEFAULT_SHADOW_TIMEOUT_S
