"""EROS_TIME_GRID=15: the 45-minute plan refined on the quarter-hour grid, valid and never worse."""

from __future__ import annotations

from pathlib import Path

import pytest

from eros.bootstrap import bootstrap, builtin_agents
from eros.config import load_settings, time_grid_from_env
from eros.errors import ConfigError
from eros.scheduling import plan_week
from eros.scheduling.optimizer import SolveResult, solve
from eros.scheduling.problem import Problem, build_problem
from eros.scheduling.refine import REACH_QUARTERS, neighbourhood, on_grid, refine
from eros.scheduling.revenue_model import fit
from eros.services.agents import GENERATOR_AGENT
from eros.services.generator_agent import GeneratorAgent
from eros.validation.gates import evaluate_gates, facts_from_context

from .conftest import TEST_TIME_LIMIT_S, make_context


@pytest.mark.parametrize(("tier", "page_type"), [("STANDARD", "paid"), ("PREMIUM", "paid"), ("LITE", "free")])
def test_the_quarter_hour_plan_passes_every_gate_and_earns_at_least_as_much(
    tier: str, page_type: str
) -> None:
    context = make_context(tier, page_type, creator_id=f"grid_{tier.lower()}_{page_type}")
    coarse = plan_week(context, time_limit_s=TEST_TIME_LIMIT_S)
    fine = plan_week(context, time_limit_s=TEST_TIME_LIMIT_S, time_grid=15)
    assert fine.solver == "cp-sat"
    assert evaluate_gates(fine.items, facts_from_context(context)) == []
    assert fine.objective >= coarse.objective
    assert plan_week(context, time_limit_s=TEST_TIME_LIMIT_S, time_grid=15).items == fine.items


def _both_grids(tier: str, creator_id: str) -> tuple[Problem, SolveResult, Problem]:
    """A week's 45-minute problem and CP-SAT plan, and the same week on the quarter-hour grid."""
    context = make_context(tier, "paid", creator_id=creator_id)
    model = fit(context.analytics)
    coarse = build_problem(context, model)
    result = solve(coarse, TEST_TIME_LIMIT_S)
    assert result is not None
    return coarse, result, build_problem(context, model, step_quarters=1)


def test_refinement_uses_quarter_hours_the_45_minute_grid_does_not_have() -> None:
    coarse, result, fine = _both_grids("PREMIUM", "grid_premium_moves")
    refined = refine(coarse, result, fine, TEST_TIME_LIMIT_S)
    assert refined is not None and refined.result.objective > result.objective
    on_45 = {s.quarter for s in coarse.slots}
    assert any(refined.problem.slots[p.slot].quarter not in on_45 for p in refined.result.placements)


def test_sends_move_at_most_thirty_minutes_and_keep_their_type() -> None:
    coarse, result, fine = _both_grids("STANDARD", "grid_reach")
    allowed = neighbourhood(coarse, result.placements, fine)
    for send_type, slot in allowed:
        quarter = fine.slots[slot].quarter
        assert any(
            p.send_type == send_type and abs(coarse.slots[p.slot].quarter - quarter) <= REACH_QUARTERS
            for p in result.placements
        )
    # The 45-minute plan itself is inside the neighbourhood (it is the hint).
    assert {(p.send_type, p.slot) for p in on_grid(coarse, result.placements, fine)} <= allowed
    refined = refine(coarse, result, fine, TEST_TIME_LIMIT_S)
    assert refined is None or refined.result.objective > result.objective
    if refined is not None:
        assert {(p.send_type, p.slot) for p in refined.result.placements} <= allowed


def test_an_unknown_grid_is_refused() -> None:
    with pytest.raises(ValueError, match="time_grid 30"):
        plan_week(make_context(), time_grid=30)


@pytest.mark.parametrize(("value", "grid"), [(None, 45), ("", 45), ("45", 45), ("15", 15), (" 15 ", 15)])
def test_eros_time_grid_reads_45_or_15(value: str | None, grid: int) -> None:
    assert time_grid_from_env(value) == grid


@pytest.mark.parametrize("value", ["30", "fifteen", "14", "16"])
def test_any_other_eros_time_grid_is_invalid_config(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        time_grid_from_env(value)
    assert caught.value.code == "INVALID_CONFIG"
    assert "EROS_TIME_GRID" in caught.value.message


def test_the_configured_grid_reaches_the_generator_agent(tmp_path: Path) -> None:
    settings = load_settings({"EROS_DB_PATH": str(tmp_path / "x.db"), "EROS_TIME_GRID": "15"})
    agent = builtin_agents(bootstrap(settings))[GENERATOR_AGENT]()
    assert isinstance(agent, GeneratorAgent)
    assert agent.time_grid == 15
