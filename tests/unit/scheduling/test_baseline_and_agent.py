"""The naive baseline and the schedule-generator agent."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from eros.errors import InvalidInput
from eros.models import Schedule, ScheduleItem
from eros.rules.send_types import SEND_TYPES, Category
from eros.scheduling.baseline import naive_week
from eros.scheduling.revenue_model import fit
from eros.services.agents import GENERATOR_AGENT
from eros.services.generator_agent import GeneratorAgent

from .conftest import AVOID, VAULT, make_context, volume_days


def test_the_baseline_keeps_the_volume_base_price_and_vault_order_without_follow_ups() -> None:
    context = make_context("STANDARD", "paid", creator_id="base")
    baseline = naive_week(context, fit(context.analytics))
    assert not any(i.is_follow_up for i in baseline.items)
    counts = Counter((i.scheduled_date, SEND_TYPES[i.send_type_key].category) for i in baseline.items)
    for day in volume_days("STANDARD", "paid"):
        for category in Category:
            assert counts[day["date"], category] == day[category.value]
    assert {i.price for i in baseline.items if i.price is not None} == {context.base_price}
    usable = [ct for ct in VAULT if ct not in AVOID]
    contents = [i.content_type for i in baseline.items if i.content_type]
    assert contents[: len(usable)] == usable
    assert baseline.expected_revenue == pytest.approx(
        sum(i.expected_revenue or 0 for i in baseline.items), abs=0.05
    )


def test_the_baseline_cannot_fill_free_page_retention_without_follow_ups() -> None:
    context = make_context("LITE", "free", creator_id="basefree")
    baseline = naive_week(context, fit(context.analytics))
    assert not any(SEND_TYPES[i.send_type_key].category is Category.RETENTION for i in baseline.items)


def _payload(revision: int = 0) -> dict[str, object]:
    context = make_context("MINIMAL", "paid", creator_id="agent")
    return {"context": context.model_dump(mode="json"), "revision": revision, "feedback": []}


async def test_the_agent_answers_with_a_schedule_and_the_solver_report() -> None:
    agent = GeneratorAgent(time_limit_s=0.5)
    assert agent.name == GENERATOR_AGENT
    answer = await agent.run(_payload(), model="sonnet")
    schedule = Schedule.model_validate(answer["schedule"])
    assert schedule.creator_id == "agent" and schedule.week_start == "2026-01-05"
    assert all(isinstance(i, ScheduleItem) for i in schedule.items) and schedule.items
    assert answer["solver"] == "cp-sat"
    assert answer["upper_bound"] >= answer["objective"]
    assert 0 <= answer["gap"] <= 0.02
    assert answer["expected_revenue"] == schedule.expected_revenue


async def test_the_agent_takes_a_json_prompt_and_gives_the_same_answer() -> None:
    agent = GeneratorAgent(time_limit_s=0.5)
    assert await agent.run(json.dumps(_payload())) == await agent.run(_payload())


@pytest.mark.parametrize(
    "bad",
    ["not json", json.dumps({"revision": 1}), json.dumps({"context": {"creator_id": "x"}})],
)
async def test_bad_payloads_fail_with_a_code(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await GeneratorAgent().run(bad)
    assert caught.value.code == "VALIDATION_ERROR"
