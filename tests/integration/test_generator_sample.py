"""The generator over real sample creators (PreflightEngine over the in-process tools).

A few creators and two weeks here; every creator × 52 weeks is benchmarks/generator_sweep.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from eros.clock import FixedClock, parse_instant
from eros.db.engine import make_engine
from eros.infra.mcp_clients import InProcessClient
from eros.models import CreatorContext
from eros.scheduling import plan_week
from eros.services.preflight import PreflightEngine
from eros.validation.gates import evaluate_gates, facts_from_context
from eros.validation.scoring import score_schedule, scoring_facts
from support import tool_env

NOW = "2026-01-04T12:00:00Z"
#: Every tier and both page types: STANDARD paid and free, HIGH_VALUE, PREMIUM, LITE free, MINIMAL.
CREATORS = ("alexia", "luna_free", "grace_bennett", "maya_hill", "ruby_fox_free", "nora_lane")
TIME_LIMIT_S = 0.8


@pytest.fixture(scope="module")
def engine(sample_db_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{sample_db_path}")
    yield engine
    engine.dispose()


async def _context(engine: Engine, creator: str, week: str) -> CreatorContext:
    clock = FixedClock(parse_instant(NOW))
    client = InProcessClient(tool_env(engine, clock, b"generator-test-key"))
    return await PreflightEngine(client, clock=clock).execute(creator, week)


@pytest.mark.parametrize("creator", CREATORS)
async def test_sample_creators_get_valid_weeks_that_beat_the_baseline(engine: Engine, creator: str) -> None:
    context = await _context(engine, creator, "2026-01-05")
    plan = plan_week(context, time_limit_s=TIME_LIMIT_S)
    assert evaluate_gates(plan.items, facts_from_context(context)) == []
    assert plan.solver == "cp-sat" and plan.gap <= 0.02
    assert plan.expected_revenue >= 1.15 * plan.baseline_revenue
    assert score_schedule(plan.items, scoring_facts(context)).total >= 85


async def test_a_later_week_with_a_holiday_is_valid_too(engine: Engine) -> None:
    context = await _context(engine, "grace_bennett", "2026-02-09")
    plan = plan_week(context, time_limit_s=TIME_LIMIT_S)
    assert evaluate_gates(plan.items, facts_from_context(context)) == []
    assert {i.scheduled_date for i in plan.items} >= {"2026-02-14"}


async def test_generation_from_the_same_database_is_repeatable(engine: Engine) -> None:
    first = plan_week(await _context(engine, "luna_free", "2026-01-05"), time_limit_s=TIME_LIMIT_S)
    second = plan_week(await _context(engine, "luna_free", "2026-01-05"), time_limit_s=TIME_LIMIT_S)
    assert [i.model_dump() for i in first.items] == [i.model_dump() for i in second.items]
