"""The v5 pipeline end to end over the sample: approved and saved, ≤ 7 calls, dry runs, retries."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from eros import orchestrator as runbook
from eros.adapters import ProductionTaskTool
from eros.clock import FixedClock
from eros.db import schedules_repo
from eros.errors import ErosError
from eros.infra.mcp_clients import InProcessClient
from eros.services.agents import GENERATOR_AGENT
from eros.services.orchestrator import MAX_RETRIES, EROSOrchestrator
from support import FailingTool, tool_env

WEEK = "2026-01-05"
SIGNING_KEY = b"orchestrator-test-key"
PHASES = ("preflight", "generator", "validator", "save", "total")


def _client(engine: Engine, clock: FixedClock) -> InProcessClient:
    return InProcessClient(tool_env(engine, clock, SIGNING_KEY))


def _orchestrator(client: Any, clock: FixedClock, task_tool: Any = None) -> EROSOrchestrator:
    tool = task_tool or ProductionTaskTool(client=client, signing_key=SIGNING_KEY, clock=clock)
    return EROSOrchestrator(client, tool, clock=clock)


async def _saved(client: InProcessClient, creator: str) -> list[dict[str, Any]]:
    answer = await client.call_tool("get_schedules", {"creator_id": creator, "include_items": True})
    return list(answer["schedules"])


class BrokenFirstGenerator:
    """A test double for the retry logic: the first plan breaks the price gate, later ones are real."""

    def __init__(self, real: ProductionTaskTool, broken_attempts: int = 1) -> None:
        self.real = real
        self.broken_attempts = broken_attempts
        self.generator_payloads: list[dict[str, Any]] = []

    async def invoke(self, agent: str, payload: Any, model: str | None = None) -> dict[str, Any]:
        answer = await self.real.invoke(agent, payload, model)
        if agent != GENERATOR_AGENT:
            return answer
        self.generator_payloads.append(payload)
        if len(self.generator_payloads) > self.broken_attempts:
            return answer
        items = [dict(item) for item in answer["schedule"]["items"]]
        priced = next(i for i, item in enumerate(items) if item.get("price"))
        items[priced]["price"] = 500.0
        return {**answer, "schedule": {**answer["schedule"], "items": items}}


@pytest.mark.parametrize("creator", ["alexia", "grace_bennett", "luna_free", "maya_hill"])
async def test_a_sample_creator_is_approved_and_saved_in_at_most_seven_calls(
    sample_db: Engine, clock: FixedClock, creator: str
) -> None:
    client = _client(sample_db, clock)
    result = await _orchestrator(client, clock).run(creator, WEEK)
    assert result.success, result.errors
    assert result.validation_status == "APPROVED"
    assert result.hard_gate_violations == 0
    assert result.mcp_calls_total <= 7
    assert result.schedule_id is not None
    assert result.expected_revenue and result.expected_revenue > 0
    saved = await _saved(client, creator)
    assert [(s["schedule_id"], s["status"], s["week_start"]) for s in saved] == [
        (result.schedule_id, "approved", WEEK)
    ]
    assert len(saved[0]["items"]) == result.total_items


async def test_metrics_name_every_phase_with_the_runbook_shape(sample_db: Engine, clock: FixedClock) -> None:
    client = _client(sample_db, clock)
    result = await _orchestrator(client, clock).generate_schedule("alexia", WEEK)
    assert tuple(result.metrics) == PHASES
    for phase, metrics in result.metrics.items():
        assert metrics["phase"] == phase
        assert metrics["duration_ms"] >= 0
        assert metrics["status"] in {"ok", "degraded"}
    per_phase = sum(result.metrics[p]["mcp_calls"] for p in PHASES[:-1])
    assert per_phase == result.metrics["total"]["mcp_calls"] == client.calls
    assert result.metrics["preflight"]["mcp_calls"] <= 4
    assert result.metrics["save"]["mcp_calls"] == 1
    assert result.metrics["total"]["expected_revenue"] == result.expected_revenue
    assert result.total_duration_ms == result.metrics["total"]["duration_ms"]


async def test_dry_run_saves_nothing(sample_db: Engine, clock: FixedClock) -> None:
    client = _client(sample_db, clock)
    result = await _orchestrator(client, clock).run("alexia", WEEK, dry_run=True)
    assert result.success and result.dry_run
    assert result.validation_status == "APPROVED"
    assert result.schedule_id is None
    assert result.metrics["save"]["status"] == "skipped"
    assert result.schedule and result.schedule["items"]
    assert await _saved(client, "alexia") == []


async def test_same_input_gives_the_same_schedule(sample_db: Engine, clock: FixedClock) -> None:
    client = _client(sample_db, clock)
    first = await _orchestrator(client, clock).run("grace_bennett", WEEK, dry_run=True)
    second = await _orchestrator(client, clock).run("grace_bennett", WEEK, dry_run=True)
    assert first.schedule and second.schedule
    assert first.schedule["items"] == second.schedule["items"]


async def test_a_rejected_plan_goes_back_to_the_generator_with_its_violations(
    sample_db: Engine, clock: FixedClock
) -> None:
    client = _client(sample_db, clock)
    tool = BrokenFirstGenerator(ProductionTaskTool(client=client, signing_key=SIGNING_KEY, clock=clock))
    result = await _orchestrator(client, clock, tool).run("alexia", WEEK)
    assert result.success, result.errors
    assert result.validation_status == "APPROVED"
    assert result.metrics["generator"]["runs"] == 2
    assert result.metrics["validator"]["runs"] == 2
    first, second = tool.generator_payloads
    assert first["feedback"] == [] and first["revision"] == 0
    assert second["revision"] == 1
    assert {v["code"] for v in second["feedback"]} == {"PRICE_OUT_OF_BOUNDS"}
    assert [s["status"] for s in await _saved(client, "alexia")] == ["approved"]


async def test_a_plan_rejected_three_times_fails_and_is_not_saved(
    sample_db: Engine, clock: FixedClock
) -> None:
    client = _client(sample_db, clock)
    real = ProductionTaskTool(client=client, signing_key=SIGNING_KEY, clock=clock)
    tool = BrokenFirstGenerator(real, broken_attempts=MAX_RETRIES + 1)
    result = await _orchestrator(client, clock, tool).run("alexia", WEEK)
    assert not result.success
    assert result.validation_status == "REJECTED"
    assert result.metrics["generator"]["runs"] == MAX_RETRIES + 1
    assert result.errors and "PRICE_OUT_OF_BOUNDS" in result.errors[0]
    assert result.schedule_id is None
    assert await _saved(client, "alexia") == []


async def test_an_unknown_creator_is_a_failed_result_not_an_exception(
    sample_db: Engine, clock: FixedClock
) -> None:
    client = _client(sample_db, clock)
    result = await _orchestrator(client, clock).run("nobody_by_that_name", WEEK)
    assert not result.success
    assert "CREATOR_NOT_FOUND" in result.errors[0]
    assert result.metrics["preflight"]["status"] == "error"
    assert result.metrics["generator"]["status"] == "skipped"
    assert result.metrics["total"]["status"] == "error"


async def test_a_bad_week_is_a_failed_result(sample_db: Engine, clock: FixedClock) -> None:
    result = await _orchestrator(_client(sample_db, clock), clock).run("alexia", "05/01/2026")
    assert not result.success
    assert "INVALID_DATE" in result.errors[0]


async def test_failing_triggers_degrade_the_run_but_it_still_saves(
    sample_db: Engine, clock: FixedClock
) -> None:
    client = FailingTool(_client(sample_db, clock), "get_active_volume_triggers")
    tool = ProductionTaskTool(client=client, signing_key=SIGNING_KEY, clock=clock)
    result = await EROSOrchestrator(client, tool, clock=clock).run("alexia", WEEK)
    assert result.success, result.errors
    assert result.metrics["preflight"]["status"] == "degraded"
    assert result.metrics["preflight"]["degraded"]
    assert result.schedule_id is not None


class ReviewingValidator:
    """A test double for the save decision: the real validator's answer, downgraded to NEEDS_REVIEW."""

    def __init__(self, real: ProductionTaskTool, score: float = 70.0) -> None:
        self.real = real
        self.score = score
        self.generator_calls = 0

    async def invoke(self, agent: str, payload: Any, model: str | None = None) -> dict[str, Any]:
        answer = await self.real.invoke(agent, payload, model)
        if agent == GENERATOR_AGENT:
            self.generator_calls += 1
            return answer
        return {**answer, "status": "NEEDS_REVIEW", "quality_score": self.score}


async def test_a_needs_review_week_is_saved_as_a_draft(sample_db: Engine, clock: FixedClock) -> None:
    client = _client(sample_db, clock)
    tool = ReviewingValidator(ProductionTaskTool(client=client, signing_key=SIGNING_KEY, clock=clock))
    result = await _orchestrator(client, clock, tool).run("alexia", WEEK)
    assert result.success
    assert result.validation_status == "NEEDS_REVIEW"
    assert [s["status"] for s in await _saved(client, "alexia")] == ["draft"]
    assert tool.generator_calls == 1


async def test_a_valid_week_below_60_goes_back_to_the_generator_then_is_a_draft(
    sample_db: Engine, clock: FixedClock
) -> None:
    client = _client(sample_db, clock)
    tool = ReviewingValidator(ProductionTaskTool(client=client, signing_key=SIGNING_KEY, clock=clock), 55.0)
    result = await _orchestrator(client, clock, tool).run("alexia", WEEK)
    assert tool.generator_calls == MAX_RETRIES + 1
    assert result.success and result.validation_status == "NEEDS_REVIEW"
    assert [s["status"] for s in await _saved(client, "alexia")] == ["draft"]


async def test_the_task_tool_hands_every_call_to_its_invoker() -> None:
    seen: list[tuple[str, Any, str | None]] = []

    async def invoker(agent: str, prompt: Any, model: str | None) -> str:
        seen.append((agent, prompt, model))
        return '{"items": []}'

    tool = ProductionTaskTool(invoker)
    assert await tool.invoke("schedule-generator", "test prompt", model="sonnet") == {"items": []}
    assert seen == [("schedule-generator", "test prompt", "sonnet")]


async def test_the_built_in_task_tool_refuses_an_unknown_agent() -> None:
    tool = ProductionTaskTool()
    with pytest.raises(ErosError) as caught:
        await tool.invoke("schedule-critic", {}, model="opus")
    assert caught.value.code == "UNKNOWN_AGENT"


async def test_a_locked_week_is_a_failed_save_and_the_queued_week_stays(
    sample_db: Engine, clock: FixedClock
) -> None:
    client = _client(sample_db, clock)
    first = await _orchestrator(client, clock).run("alexia", WEEK)
    assert first.schedule_id is not None
    with sample_db.begin() as conn:
        schedules_repo.ScheduleRepository(conn).queue(first.schedule_id, clock.now())
    again = await _orchestrator(client, clock).run("alexia", WEEK)
    assert not again.success
    assert again.metrics["save"]["status"] == "error"
    assert "SCHEDULE_LOCKED" in again.errors[0]
    assert [(s["schedule_id"], s["status"]) for s in await _saved(client, "alexia")] == [
        (first.schedule_id, "queued")
    ]


async def test_without_a_clock_the_orchestrator_follows_eros_now(
    sample_db: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built with no clock, EROS_NOW must pin it, or the built-in validator stamps certificates
    with the wall clock and the tools (pinned) see them as coming from the future."""
    monkeypatch.setenv("EROS_NOW", "2026-01-04T12:00:00Z")
    client = _client(sample_db, clock)
    orchestrator = runbook.EROSOrchestrator(client, signing_key=SIGNING_KEY)
    result = await orchestrator.run("alexia", WEEK)
    assert result.validation_status == "APPROVED"
    assert [s["status"] for s in await _saved(client, "alexia")] == ["approved"]
