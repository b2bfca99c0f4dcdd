"""PipelineRouter against a real database: flags from other processes, fallback, shadow, fail-closed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from eros.bootstrap import Container, bootstrap, feature_flags, pipeline_router, v5_runner
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.control.routing import Pipeline
from eros.db import ops_repo
from eros.db.engine import make_engine
from eros.db.schema import pipeline_runs, shadow_comparisons
from eros.models import CreatorContext
from eros.services.agents import GENERATOR_AGENT, TaskTool
from eros.services.orchestrator import EROSOrchestrator
from eros.services.pipeline_run import RUN_TIMEOUT, PipelineResult, PipelineRunner, phase_metrics
from eros.services.routing import PipelineRouter

NOW = "2026-01-04T12:00:00Z"
WEEK = "2026-01-05"


def make_container(engine: Engine, path: Path, **environ: str) -> Container:
    settings = load_settings({"EROS_DB_PATH": str(path), **environ})
    return bootstrap(settings, FixedClock(parse_instant(NOW), frozen_durations=True), engine=engine)


def set_flags(engine: Engine, **flags: str) -> None:
    with engine.begin() as conn:
        for key, value in flags.items():
            ops_repo.OpsRepository(conn).set_flag_override(key, value, actor="other-process", at=NOW)


class Scripted:
    """A runner test double: returns a result for its pipeline, or raises, and remembers its calls."""

    def __init__(self, pipeline: str, *, success: bool = True, error: Exception | None = None) -> None:
        self.pipeline, self.success, self.error = pipeline, success, error
        self.calls: list[tuple[str, bool]] = []

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        self.calls.append((creator_id, dry_run))
        if self.error is not None:
            raise self.error
        return PipelineResult(
            success=self.success,
            creator_id=creator_id,
            week_start=week_start,
            pipeline=self.pipeline,
            quality_score=84.0 if self.success else None,
            errors=[] if self.success else ["validation rejected the week"],
            metrics={"total": phase_metrics("total", 500, 4)},
        )


def router(container: Container, v4: PipelineRunner, v5: PipelineRunner) -> PipelineRouter:
    return pipeline_router(container, runners={"v4": v4, "v5": v5}, auto_rollback=False)


def runs(engine: Engine) -> list[tuple[str, bool | None, bool, str | None]]:
    query = select(
        pipeline_runs.c.pipeline,
        pipeline_runs.c.success,
        pipeline_runs.c.shadow,
        pipeline_runs.c.route_reason,
    )
    with engine.connect() as conn:
        return sorted((r[0], r[1], r[2], r[3]) for r in conn.execute(query))


@pytest.fixture
def container(empty_db: Engine, tmp_path: Path) -> Container:
    return make_container(empty_db, tmp_path / "eros.db")


def test_a_flag_set_by_another_process_applies_at_the_next_decision(
    container: Container, tmp_path: Path
) -> None:
    chosen = router(container, Scripted("v4"), Scripted("v5"))
    assert chosen.decide("alexia").pipeline is Pipeline.V4
    other = make_engine(container.engine.url.render_as_string(hide_password=False))
    set_flags(other, EROS_V5_ENABLED="true", EROS_V5_CREATORS="alexia")
    other.dispose()
    decision = chosen.decide("alexia")
    assert (decision.pipeline, decision.reason) == (Pipeline.V5, "allowlisted")


def test_env_kill_switch_beats_a_persisted_override(empty_db: Engine, tmp_path: Path) -> None:
    set_flags(empty_db, EROS_V5_ENABLED="true", EROS_V5_PERCENTAGE="100")
    killed = make_container(empty_db, tmp_path / "eros.db", EROS_V5_ENABLED="false")
    assert router(killed, Scripted("v4"), Scripted("v5")).decide("alexia").reason == "v5_disabled"
    assert feature_flags(killed).v5_enabled is False


def test_unreadable_flag_state_fails_closed_to_v4(tmp_path: Path) -> None:
    bare = make_engine(f"sqlite:///{tmp_path / 'no-schema.db'}")
    container = make_container(
        bare, tmp_path / "no-schema.db", EROS_V5_ENABLED="true", EROS_V5_PERCENTAGE="100"
    )
    decision = pipeline_router(container).decide("alexia")
    bare.dispose()
    assert (decision.pipeline, decision.reason) == (Pipeline.V4, "v5_disabled")
    assert "unreadable" in decision.detail


async def test_v5_exception_falls_back_to_v4_and_counts_as_a_v5_failure(container: Container) -> None:
    set_flags(container.engine, EROS_V5_ENABLED="true", EROS_V5_CREATORS="alexia")
    v4, v5 = Scripted("v4"), Scripted("v5", error=RuntimeError("MCP unavailable"))
    served = await router(container, v4, v5).route("alexia", WEEK)
    assert served.pipeline == "v4" and served.success
    assert served.errors[0] == "v5 failed, served by v4: RuntimeError: MCP unavailable"
    assert runs(container.engine) == [("v4", True, False, "fallback"), ("v5", False, False, "allowlisted")]


async def test_unsuccessful_v5_result_also_falls_back(container: Container) -> None:
    set_flags(container.engine, EROS_V5_ENABLED="true", EROS_V5_PERCENTAGE="100")
    served = await router(container, Scripted("v4"), Scripted("v5", success=False)).route("alexia", WEEK)
    assert served.pipeline == "v4"
    assert [r[:2] for r in runs(container.engine)] == [("v4", True), ("v5", False)]


async def test_without_auto_fallback_the_v5_exception_reaches_the_caller(container: Container) -> None:
    set_flags(
        container.engine, EROS_V5_ENABLED="true", EROS_V5_PERCENTAGE="100", EROS_V5_AUTO_FALLBACK="false"
    )
    v4 = Scripted("v4")
    with pytest.raises(RuntimeError, match="boom"):
        await router(container, v4, Scripted("v5", error=RuntimeError("boom"))).route("alexia", WEEK)
    assert v4.calls == []
    assert runs(container.engine) == [("v5", False, False, "percentage_100")]


async def test_v4_route_runs_only_v4(container: Container) -> None:
    v4, v5 = Scripted("v4"), Scripted("v5")
    served = await router(container, v4, v5).route("alexia", WEEK, dry_run=True)
    assert served.pipeline == "v4" and v4.calls == [("alexia", True)] and v5.calls == []
    assert runs(container.engine) == [("v4", True, False, "v5_disabled")]


async def test_shadow_returns_v4_and_runs_v5_dry_as_a_shadow_run(container: Container) -> None:
    set_flags(container.engine, EROS_V5_ENABLED="true", EROS_V5_SHADOW_MODE="true", EROS_V5_CREATORS="alexia")
    v4, v5 = Scripted("v4"), Scripted("v5")
    served = await router(container, v4, v5).route("alexia", WEEK)
    assert served.pipeline == "v4"
    assert v5.calls == [("alexia", True)]  # dry: v5 never saves in shadow mode
    assert runs(container.engine) == [("v4", True, False, "shadow_mode"), ("v5", True, True, "shadow_mode")]


async def test_a_dry_run_in_shadow_mode_saves_nothing_from_either_pipeline(container: Container) -> None:
    set_flags(container.engine, EROS_V5_ENABLED="true", EROS_V5_SHADOW_MODE="true", EROS_V5_CREATORS="alexia")
    v4, v5 = Scripted("v4"), Scripted("v5")
    await router(container, v4, v5).route("alexia", WEEK, dry_run=True)
    assert (v4.calls, v5.calls) == ([("alexia", True)], [("alexia", True)])


# --- EROS_V5_TIMEOUT_S (runbook §3.1 "increase timeout"): a live v5 run past it fails in the phase
# it was in, is recorded so, and with auto-fallback the week comes from v4.

TIMEOUT = "0.05"


class Hangs:
    """A runner, or an agent of a Task tool, that waits for an event that never fires."""

    def __init__(self, inner: TaskTool | None = None, *, agent: str = GENERATOR_AGENT) -> None:
        self.inner, self.agent = inner, agent
        self.never = asyncio.Event()

    async def invoke(self, agent: str, payload: Any, model: str | None = None) -> Any:
        if agent == self.agent or self.inner is None:
            await self.never.wait()
        assert self.inner is not None
        return await self.inner.invoke(agent, payload, model=model)

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> Any:
        await self.never.wait()


class Ready:
    """A preflight whose context is already read, so the run's clock starts at the generator."""

    def __init__(self, context: CreatorContext) -> None:
        self.context = context

    async def execute(self, creator_id: str, week_start: object) -> CreatorContext:
        return self.context


@pytest.fixture
def mini_container(mini_db: Engine, tmp_path: Path) -> Container:
    return make_container(mini_db, tmp_path / "mini.db")


async def hanging_v5(container: Container, agent: str = GENERATOR_AGENT) -> EROSOrchestrator:
    """The configured orchestrator (its timeout wired as in production) whose `agent` hangs."""
    orchestrator = v5_runner(container)
    orchestrator.preflight = Ready(await orchestrator.preflight.execute("test", WEEK))  # type: ignore[assignment]
    orchestrator.task_tool = Hangs(orchestrator.task_tool, agent=agent)
    return orchestrator


def v5_runs(engine: Engine) -> list[tuple[bool | None, str | None]]:
    query = select(pipeline_runs.c.success, pipeline_runs.c.error).where(pipeline_runs.c.pipeline == "v5")
    with engine.connect() as conn:
        return [(row[0], row[1]) for row in conn.execute(query)]


async def test_a_generator_past_the_timeout_fails_recorded_and_v4_serves_the_week(
    mini_container: Container, mini_db: Engine
) -> None:
    set_flags(mini_db, EROS_V5_ENABLED="true", EROS_V5_CREATORS="test", EROS_V5_TIMEOUT_S=TIMEOUT)
    v4 = Scripted("v4")
    result = await router(mini_container, v4, await hanging_v5(mini_container)).route("test", WEEK)
    assert result.pipeline == "v4" and result.success and v4.calls == [("test", False)]
    expected = f"generator: [{RUN_TIMEOUT}] v5 run exceeded 0.05s"
    assert result.errors[0] == f"v5 failed, served by v4: {expected}"
    assert v5_runs(mini_db) == [(False, expected)]


async def test_without_auto_fallback_the_timed_out_run_is_the_answer(
    mini_container: Container, mini_db: Engine
) -> None:
    set_flags(
        mini_db,
        EROS_V5_ENABLED="true",
        EROS_V5_CREATORS="test",
        EROS_V5_TIMEOUT_S=TIMEOUT,
        EROS_V5_AUTO_FALLBACK="false",
    )
    v4 = Scripted("v4")
    result = await router(mini_container, v4, await hanging_v5(mini_container)).route("test", WEEK)
    assert (result.pipeline, result.success, v4.calls) == ("v5", False, [])
    assert (
        result.metrics["preflight"]["status"] == "ok" and result.metrics["validator"]["status"] == "skipped"
    )
    assert result.metrics["generator"]["status"] == "error"
    assert result.metrics["generator"]["error"] == f"[{RUN_TIMEOUT}] v5 run exceeded 0.05s"
    assert v5_runs(mini_db) == [(False, f"generator: [{RUN_TIMEOUT}] v5 run exceeded 0.05s")]


async def test_the_default_timeout_lets_a_normal_run_finish(
    mini_container: Container, mini_db: Engine
) -> None:
    set_flags(mini_db, EROS_V5_ENABLED="true", EROS_V5_CREATORS="test")
    result = await router(mini_container, Scripted("v4"), v5_runner(mini_container)).route("test", WEEK)
    assert (result.pipeline, result.success) == ("v5", True)


async def test_shadow_runs_take_their_timeout_from_the_same_flag(
    mini_container: Container, mini_db: Engine
) -> None:
    set_flags(mini_db, EROS_V5_ENABLED="true", EROS_V5_SHADOW_MODE="true", EROS_V5_TIMEOUT_S=TIMEOUT)
    async with asyncio.timeout(10):  # the fixed 180 s of before would end the test here
        result = await router(mini_container, Scripted("v4"), Hangs()).route("test", WEEK)
    assert result.pipeline == "v4" and result.success
    with mini_db.connect() as conn:
        [outcome] = conn.execute(select(shadow_comparisons.c.outcome)).scalars()
    assert outcome == "v5_timeout"
