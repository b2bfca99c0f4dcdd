"""`plan_week`: the v5 generator's one entry point (pure: context in, planned week out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eros.models import CreatorContext, ScheduleItem, Violation
from eros.rules.timing import DEFAULT_TIME_GRID, TIME_GRIDS
from eros.scheduling import greedy
from eros.scheduling.assemble import assemble, seeded_rng
from eros.scheduling.baseline import naive_week
from eros.scheduling.problem import UNITS_PER_USD, Problem, build_problem
from eros.scheduling.revenue_model import RevenueModel, fit

if TYPE_CHECKING:
    from eros.scheduling.optimizer import SolveResult

DEFAULT_TIME_LIMIT_S = 0.8


@dataclass(frozen=True)
class PlannedWeek:
    """The plan and how good the solver says it is (objective and bound in USD-equivalent units)."""

    items: list[ScheduleItem]
    objective: float
    upper_bound: float
    gap: float
    solver: str
    expected_revenue: float
    baseline_revenue: float
    status: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def revenue_ratio(self) -> float:
        return self.expected_revenue / self.baseline_revenue if self.baseline_revenue > 0 else 0.0


def _solve(problem: Problem, time_limit_s: float) -> SolveResult | None:
    """CP-SAT, or None when OR-Tools cannot be imported here (the greedy plan then stands in)."""
    try:
        # Deferred on purpose: OR-Tools is optional here and costs ~0.5 s to import (first solve only).
        from eros.scheduling import optimizer  # noqa: PLC0415 - optional, see above
    except ImportError:
        return None
    return optimizer.solve(problem, time_limit_s)


def _refine(
    context: CreatorContext,
    model: RevenueModel,
    feedback: Sequence[Violation],
    coarse: Problem,
    result: SolveResult,
    time_limit_s: float,
) -> tuple[Problem, SolveResult]:
    """The 45-minute plan refined on the quarter-hour grid, or as it was when nothing is better."""
    from eros.scheduling.refine import refine  # noqa: PLC0415 - with the optimizer, see _solve

    fine = build_problem(context, model, feedback, step_quarters=1)
    refined = refine(coarse, result, fine, time_limit_s)
    return (refined.problem, refined.result) if refined is not None else (coarse, result)


def _gap(objective: float, bound: float) -> float:
    return max(0.0, (bound - objective) / abs(bound)) if bound > 0 else 0.0


def plan_week(
    context: CreatorContext,
    *,
    revision: int = 0,
    feedback: Sequence[Violation] = (),
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    use_solver: bool = True,
    time_grid: int = DEFAULT_TIME_GRID,
) -> PlannedWeek:
    """Plan the week: CP-SAT when it answers within `time_limit_s`, else the greedy fallback.

    `revision` reseeds jitter and follow-up delays; `feedback` (the validator's violations of a
    rejected try) becomes constraints of this try (problem.feedback_actions); `time_grid` 15
    refines a CP-SAT plan on the quarter-hour grid (TIME_GRIDS). Same input ⇒ same plan.
    """
    if time_grid not in TIME_GRIDS:
        raise ValueError(f"time_grid {time_grid} is not one of {TIME_GRIDS}")
    model = fit(context.analytics)
    problem = build_problem(context, model, feedback)
    result = _solve(problem, time_limit_s) if use_solver else None
    if result is not None and time_grid == 15:
        problem, result = _refine(context, model, feedback, problem, result, time_limit_s)
    if result is not None:
        placements, objective, bound = result.placements, result.objective, result.upper_bound
        solver, status = "cp-sat", result.status
    else:
        placements, objective, bound = greedy.solve(problem)
        solver, status = "greedy", "HEURISTIC"
    items = assemble(problem, placements, seeded_rng(context.creator_id, context.week_start, revision))
    baseline = naive_week(context, model)
    return PlannedWeek(
        items=items,
        objective=round(objective / UNITS_PER_USD, 2),
        upper_bound=round(bound / UNITS_PER_USD, 2),
        gap=round(_gap(objective, bound), 6),
        solver=solver,
        expected_revenue=round(sum(i.expected_revenue or 0.0 for i in items), 2),
        baseline_revenue=baseline.expected_revenue,
        status=status,
        notes=problem.notes,
    )
