"""Rollback and restore: triggers, drain with concurrent runs, cross-process routing, confirmation."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from eros.bootstrap import (
    Container,
    alert_manager,
    bootstrap,
    pipeline_monitor,
    pipeline_router,
    rollback_controller,
)
from eros.clock import FixedClock, iso_z, parse_instant
from eros.config import load_settings
from eros.control.flags import RollbackState
from eros.control.routing import Pipeline
from eros.control.slo import DEFAULT_SLO, AlertCode, SLOConfig
from eros.db import ops_repo
from eros.db.engine import make_engine
from eros.errors import ErosError
from eros.services.monitor import PipelineMonitor
from eros.services.pipeline_run import PipelineResult, phase_metrics
from eros.services.rollback import RESTORE_CONFIRMATION, RollbackController
from support import database_env

NOW = "2026-01-04T12:00:00Z"
WEEK = "2026-01-05"


@pytest.fixture(autouse=True)
def _process_environment() -> Iterator[None]:
    """A rollback writes EROS_V5_ENABLED=false into this process's environment (D4); undo it."""
    saved = os.environ.get("EROS_V5_ENABLED")
    yield
    if saved is None:
        os.environ.pop("EROS_V5_ENABLED", None)
    else:
        os.environ["EROS_V5_ENABLED"] = saved


def make_container(engine: Engine) -> Container:
    settings = load_settings(database_env(engine))
    return bootstrap(settings, FixedClock(parse_instant(NOW), frozen_durations=True), engine=engine)


@pytest.fixture
def container(empty_db: Engine) -> Container:
    return make_container(empty_db)


def enable_v5(container: Container, percentage: int = 100, creators: str = "") -> None:
    at = iso_z(container.clock.now())
    with container.engine.begin() as conn:
        ops_repo.OpsRepository(conn).set_flag_override("EROS_V5_ENABLED", "true", actor="test", at=at)
        ops_repo.OpsRepository(conn).set_flag_override(
            "EROS_V5_PERCENTAGE", str(percentage), actor="test", at=at
        )
        ops_repo.OpsRepository(conn).set_flag_override("EROS_V5_CREATORS", creators, actor="test", at=at)


def ok(creator_id: str, week_start: str, pipeline: str) -> PipelineResult:
    return PipelineResult(
        success=True,
        creator_id=creator_id,
        week_start=week_start,
        pipeline=pipeline,
        quality_score=86.0,
        total_items=60,
        metrics={"total": phase_metrics("total", 1000, 4)},
    )


async def v4_runner(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
    return ok(creator_id, week_start, "v4")


async def failing_v5(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
    raise RuntimeError("generator agent crashed")


def no_sleep_controller(container: Container, monitor: PipelineMonitor | None = None) -> RollbackController:
    clock = container.clock
    assert isinstance(clock, FixedClock)

    async def advance(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    return rollback_controller(container, monitor=monitor, sleep=advance)


async def test_automatic_rollback_sends_everyone_to_v4_at_the_next_decision(container: Container) -> None:
    enable_v5(container)
    monitor = pipeline_monitor(container)
    router = pipeline_router(
        container,
        runners={"v4": v4_runner, "v5": failing_v5},
        monitor=monitor,
        rollback=no_sleep_controller(container, monitor),
    )
    for i in range(4):
        served = await router.route(f"creator_{i}", WEEK)
        assert served.pipeline == "v4"  # auto-fallback serves the week
    assert router.decide("creator_9").pipeline is Pipeline.V5  # four failures: too few to judge
    await router.route("creator_4", WEEK)  # the fifth failure inside 5 minutes fires the trigger

    decision = router.decide("creator_9")
    assert (decision.pipeline, decision.reason) == (Pipeline.V4, "rolled_back")
    controller = rollback_controller(container, monitor=monitor)
    assert controller.state is RollbackState.DISABLED
    [event] = controller.get_history()
    assert (event["action"], event["initiator"], event["automatic"], event["verified"]) == (
        "rollback",
        "auto",
        True,
        True,
    )
    assert "success_rate" in event["reason"] and event["metrics"]["success_rate"] == 0.0
    open_codes = [a.code for a in monitor.alerts.list_alerts(open_only=True)]
    assert open_codes.count(AlertCode.V5_AUTO_ROLLBACK) == 1
    assert os.environ["EROS_V5_ENABLED"] == "false"
    assert await controller.check_auto_rollback() is None  # already rolled back: no second episode


async def test_rollback_in_one_process_routes_the_next_decision_of_another_to_v4(
    container: Container,
) -> None:
    enable_v5(container, percentage=0, creators="alexia")
    await no_sleep_controller(container).execute_rollback("critical bug", initiator="oncall")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EROS_")}
    env |= {**database_env(container.engine), "EROS_NOW": NOW}
    code = (
        "import json; from eros.router import PipelineRouter; d = PipelineRouter().decide('alexia'); "
        "print(json.dumps([d.pipeline.value, d.reason]))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["v4", "rolled_back"]


async def test_drain_lets_in_flight_v5_runs_finish_while_new_runs_go_to_v4(container: Container) -> None:
    enable_v5(container)
    release = asyncio.Event()

    async def slow_v5(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        await release.wait()
        return ok(creator_id, week_start, "v5")

    monitor = pipeline_monitor(container)
    router = pipeline_router(
        container, runners={"v4": v4_runner, "v5": slow_v5}, monitor=monitor, auto_rollback=False
    )
    in_flight = [asyncio.create_task(router.route(f"creator_{i}", WEEK)) for i in range(2)]
    while monitor.in_flight("v5") < 2:
        await asyncio.sleep(0)

    seen_during_drain: list[tuple[str, str, str]] = []
    clock = container.clock
    assert isinstance(clock, FixedClock)

    async def drain_sleep(seconds: float) -> None:
        decision = router.decide("creator_new")
        seen_during_drain.append((controller.state, decision.pipeline.value, decision.reason))
        clock.advance(timedelta(seconds=seconds))
        release.set()
        await asyncio.sleep(0)

    controller = rollback_controller(container, monitor=monitor, sleep=drain_sleep)
    result = await controller.execute_rollback("latency regression", initiator="oncall")
    finished = await asyncio.gather(*in_flight)

    assert seen_during_drain[0] == ("draining", "v4", "rolled_back")
    assert [r.pipeline for r in finished] == ["v5", "v5"]  # they finished on the version that started them
    assert (result.in_flight_at_start, result.drained, result.state_after) == (2, True, "disabled")
    assert result.drain_ms >= 1000
    assert controller.state is RollbackState.DISABLED


async def test_the_drain_waits_for_a_dead_run_only_until_its_lease_runs_out(container: Container) -> None:
    monitor = pipeline_monitor(container)
    monitor.start_run("v5", "crashed_creator", WEEK)  # its process was killed: it never finishes
    assert isinstance(container.clock, FixedClock)
    container.clock.advance(monitor.slo.run_lease - timedelta(seconds=3))
    result = await no_sleep_controller(container, monitor).execute_rollback("after a crash", initiator="a")
    assert (result.in_flight_at_start, result.drained, result.state_after) == (1, True, "disabled")
    assert result.drain_ms == 3000  # the three seconds of lease left, not the 300 s drain timeout


async def test_the_drain_gives_up_after_its_timeout(empty_db: Engine) -> None:
    container = make_container(empty_db)
    slo = SLOConfig(drain_timeout=timedelta(seconds=60))
    monitor = PipelineMonitor(container.uow, container.clock, alerts=alert_manager(container), slo=slo)
    monitor.start_run("v5", "stuck_creator", WEEK)
    result = await no_sleep_controller(container, monitor).execute_rollback("stuck", initiator="oncall")
    assert (result.in_flight_at_start, result.drained, result.state_after) == (1, False, "disabled")
    assert result.drain_ms == 60_000


async def test_the_rollback_alerts_before_it_drains(container: Container) -> None:
    monitor = pipeline_monitor(container)
    monitor.start_run("v5", "crashed_creator", WEEK)
    clock = container.clock
    assert isinstance(clock, FixedClock)
    open_at_first_poll: list[list[str]] = []

    async def drain_sleep(seconds: float) -> None:
        open_at_first_poll.append([a.code for a in monitor.alerts.list_alerts(open_only=True)])
        clock.advance(timedelta(seconds=seconds))

    controller = rollback_controller(container, monitor=monitor, sleep=drain_sleep)
    await controller.execute_rollback("crash", initiator="oncall")
    assert open_at_first_poll[0] == [AlertCode.V5_MANUAL_ROLLBACK]


async def test_restore_needs_the_exact_confirmation(container: Container) -> None:
    enable_v5(container)
    controller = no_sleep_controller(container)
    await controller.execute_rollback("bad schedules", initiator="oncall")
    router = pipeline_router(container, auto_rollback=False)
    for wrong in ("", "yes", "restore_v5_confirmed", RESTORE_CONFIRMATION + " "):
        with pytest.raises(ErosError) as refused:
            await controller.restore_v5(wrong)
        assert refused.value.code == "RESTORE_NOT_CONFIRMED"
    assert controller.state is RollbackState.DISABLED
    assert router.decide("alexia").pipeline is Pipeline.V4

    result = await controller.restore_v5(RESTORE_CONFIRMATION, initiator="lead")
    assert (result.state_before, result.state_after) == ("disabled", "active")
    assert "EROS_V5_ENABLED" not in os.environ
    assert router.decide("alexia").pipeline is Pipeline.V5
    assert [e["action"] for e in controller.get_history()] == ["restore", "rollback"]
    assert controller.monitor.alerts.list_alerts(open_only=True) == []


async def test_a_second_rollback_is_a_no_op(container: Container) -> None:
    controller = no_sleep_controller(container)
    assert (await controller.execute_rollback("first", initiator="a")).success
    again = await controller.execute_rollback("second", initiator="b")
    assert not again.success and "already disabled" in again.message
    assert len(controller.get_history()) == 1


async def test_concurrent_checks_in_two_processes_roll_back_once(container: Container) -> None:
    monitor = pipeline_monitor(container)
    for i in range(5):
        monitor.record_execution(
            PipelineResult(success=False, creator_id=f"c{i}", week_start=WEEK, pipeline="v5"),
            duration_ms=1000,
        )
    other_engine = make_engine(container.engine.url.render_as_string(hide_password=False))
    other = make_container(other_engine)
    results = await asyncio.gather(
        no_sleep_controller(container).check_auto_rollback(), no_sleep_controller(other).check_auto_rollback()
    )
    other_engine.dispose()
    assert sum(r is not None for r in results) == 1
    assert len(rollback_controller(container).get_history()) == 1


async def test_a_restored_v5_is_judged_only_on_runs_since_the_restore(container: Container) -> None:
    enable_v5(container)
    monitor = pipeline_monitor(container)
    controller = no_sleep_controller(container, monitor)
    router = pipeline_router(
        container, runners={"v4": v4_runner, "v5": failing_v5}, monitor=monitor, rollback=controller
    )
    for i in range(5):
        await router.route(f"creator_{i}", WEEK)
    assert controller.state is RollbackState.DISABLED
    assert monitor.should_rollback()[0]  # the failures are still inside the 5-minute window

    assert isinstance(container.clock, FixedClock)
    container.clock.advance(timedelta(seconds=1))
    await controller.restore_v5(RESTORE_CONFIRMATION, initiator="lead")
    assert not monitor.should_rollback()[0]
    assert await controller.check_auto_rollback() is None
    assert router.decide("creator_9").pipeline is Pipeline.V5


@pytest.mark.parametrize(("paused_ago", "taken_over"), [(600, True), (599, False)])
async def test_a_rollback_killed_mid_drain_is_taken_over_once_no_live_drain_can_remain(
    container: Container, paused_ago: int, taken_over: bool
) -> None:
    assert 2 * DEFAULT_SLO.drain_timeout == timedelta(seconds=600)
    paused_at = iso_z(container.clock.now() - timedelta(seconds=paused_ago))
    with container.engine.begin() as conn:  # what a rollback killed during its drain leaves behind
        ops_repo.OpsRepository(conn).set_rollback_state("draining", actor="dead", at=paused_at, reason="x")
    result = await no_sleep_controller(container).execute_rollback("again", initiator="oncall")
    assert result.success is taken_over
    controller = rollback_controller(container)
    if taken_over:
        assert (result.state_before, result.state_after) == ("draining", "disabled")
        assert controller.state is RollbackState.DISABLED and len(controller.get_history()) == 1
    else:
        assert "already draining" in result.message and controller.state is RollbackState.DRAINING
