"""CP-SAT time-indexed model of the week (ARCHITECTURE D2, reference/ecosystem.md §6).

One boolean per (send type, base slot) and one per follow-up-eligible slot ("this parent gets a
follow-up"). Hard constraints: page type and vault (only allowed types exist as variables), per-type
daily/weekly caps, per-type gaps (sliding windows; for one-a-day types an enforced pairwise
difference between consecutive days), 45-minute spacing between non-follow-up sends, follow-up
caps/spacing/cut-off, and the week's diversity minimums. Sends on their own never exceed a daily
category target; with follow-ups they reach it or pay a shortfall that costs more than any send
can earn, so targets are met whenever the caps allow. The objective is expected revenue in cents,
plus soft preferences, minus the shortfall penalty and content fatigue (docs/GENERATOR.md).

Determinism: one worker, a fixed seed and a *deterministic* time limit (`max_deterministic_time`),
so the same model gives the same answer on any machine; a wall-clock cap is only a safety net.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from eros.rules.followups import MAX_PER_DAY
from eros.rules.send_types import FOLLOWUP_PARENTS, Category
from eros.scheduling.problem import (
    FOLLOWUP_PARENT_SPACING_MINUTES,
    QUARTER,
    Placement,
    Problem,
)

Sum = cp_model.LinearExpr.sum
Weighted = cp_model.LinearExpr.weighted_sum
SOLVER_SEED = 20260105
#: Deterministic-time units granted per wall-clock second of the caller's budget (≈ 1 on a laptop core).
DETERMINISTIC_PER_SECOND = 1.0
#: The wall-clock cap is this multiple of the budget: reached only on a very slow machine.
WALL_CAP_FACTOR = 5.0
RELATIVE_GAP_LIMIT = 0.002


@dataclass(frozen=True, slots=True)
class SolveResult:
    placements: tuple[Placement, ...]
    objective: float
    upper_bound: float
    status: str


def solve(problem: Problem, time_limit_s: float) -> SolveResult | None:
    """Optimise the week; None when CP-SAT finds no solution within the limit (the caller falls back)."""
    m = cp_model.CpModel()
    slots = problem.slots
    by_quarter = {s.quarter: s.index for s in slots}
    x: dict[tuple[str, int], cp_model.IntVar] = {}
    for st in problem.types:
        for s in slots:
            x[st.key, s.index] = m.new_bool_var(f"x_{st.key}_{s.index}")
    parents = [st.key for st in problem.types if st.key in FOLLOWUP_PARENTS]
    f: dict[int, cp_model.IntVar] = {}
    if problem.allow_followups:
        for s in slots:
            if s.parent_ok:
                f[s.index] = m.new_bool_var(f"f_{s.index}")
                m.add(f[s.index] <= Sum([x[p, s.index] for p in parents]))

    def window(start_quarter: int, length: int) -> list[int]:
        return [by_quarter[q] for q in range(start_quarter, start_quarter + length) if q in by_quarter]

    # 45-minute spacing between sends that are not follow-ups (one send per window of 3 quarters).
    for s in slots:
        members = window(s.quarter, problem.spacing_quarters)
        m.add_at_most_one([x[st.key, i] for st in problem.types for i in members])

    days = range(7)
    day_slots = {d: [s.index for s in slots if s.day == d] for d in days}
    for st in problem.types:
        length = st.gap_minutes // QUARTER
        for d in days:
            m.add(Sum([x[st.key, i] for i in day_slots[d]]) <= st.max_per_day)
        if st.max_per_week is not None:
            m.add(Sum([x[st.key, s.index] for s in slots]) <= st.max_per_week)
        if length <= problem.spacing_quarters:
            continue
        if st.max_per_day == 1:
            # At most one a day: only consecutive days can be closer than the gap.
            for d in days[:-1]:
                here, there = day_slots[d], day_slots[d + 1]
                if not here or not there:
                    continue
                a = m.new_bool_var(f"p_{st.key}_{d}")
                b = m.new_bool_var(f"p_{st.key}_{d + 1}")
                m.add(Sum([x[st.key, i] for i in here]) == a)
                m.add(Sum([x[st.key, i] for i in there]) == b)
                t_here = Weighted([x[st.key, i] for i in here], [slots[i].quarter for i in here])
                t_there = Weighted([x[st.key, i] for i in there], [slots[i].quarter for i in there])
                m.add(t_there - t_here >= length).only_enforce_if([a, b])
        else:
            for s in slots:
                members = window(s.quarter, length)
                if len(members) > 1:
                    m.add_at_most_one([x[st.key, i] for i in members])

    if f:
        spacing = FOLLOWUP_PARENT_SPACING_MINUTES // QUARTER
        for s in slots:
            members = [i for i in window(s.quarter, spacing) if i in f]
            if len(members) > 1:
                m.add_at_most_one([f[i] for i in members])
        for d in days:
            m.add(Sum([f[i] for i in day_slots[d] if i in f]) <= MAX_PER_DAY)

    # Daily category targets: met unless the caps make it impossible (shortfall is costly). Sends
    # scheduled on their own never exceed a target; follow-ups may fill retention and go beyond it,
    # since every parent deserves one (§5, scored as follow-up coverage).
    shortfalls: list[cp_model.IntVar] = []
    for d in days:
        for cat in Category:
            target = problem.targets[d][cat]
            short = m.new_int_var(0, max(target, 0), f"short_{d}_{cat.value}")
            standalone = Sum(
                [x[st.key, i] for st in problem.types if st.category is cat for i in day_slots[d]]
            )
            m.add(standalone <= target)
            followups = [f[i] for i in day_slots[d] if i in f] if cat is Category.RETENTION else []
            m.add(standalone + Sum(followups) + short >= target)
            shortfalls.append(short)

    # Diversity across the week (follow-ups count as a retention type).
    used: dict[str, cp_model.IntVar] = {}
    for st in problem.types:
        used[st.key] = m.new_bool_var(f"used_{st.key}")
        m.add(used[st.key] <= Sum([x[st.key, s.index] for s in slots]))
    used_followup = m.new_bool_var("used_followup")
    m.add(used_followup <= Sum(list(f.values())))
    m.add(Sum(list(used.values())) + used_followup >= problem.min_distinct)
    for cat, minimum in problem.min_by_category.items():
        kinds = [used[st.key] for st in problem.types if st.category is cat]
        if cat is Category.RETENTION:
            kinds.append(used_followup)
        m.add(Sum(kinds) >= minimum)

    # Content fatigue: a convex penalty on the week's number of media sends (problem.media_fatigue_loss).
    media = [x[st.key, s.index] for st in problem.types if st.requires_media for s in slots]
    fatigue = m.new_int_var(0, max(problem.media_loss[-1], 0), "fatigue")
    if media and problem.media_loss[-1] > 0:
        count = m.new_int_var(0, len(problem.media_loss) - 1, "media_sends")
        m.add(count == Sum(media))
        loss = problem.media_loss
        for k in range(len(loss) - 1):
            if loss[k + 1] > loss[k]:
                m.add(fatigue >= loss[k] + (loss[k + 1] - loss[k]) * (count - k))

    variables = [x[st.key, s.index] for st in problem.types for s in slots] + list(f.values())
    weights = [problem.value[st.key][s.index] for st in problem.types for s in slots]
    weights += [problem.followup_value[i] for i in f]
    variables += [*shortfalls, fatigue]
    weights += [-problem.shortfall_penalty] * len(shortfalls) + [-1]
    m.maximize(Weighted(variables, weights))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SOLVER_SEED
    solver.parameters.max_deterministic_time = max(0.05, time_limit_s * DETERMINISTIC_PER_SECOND)
    solver.parameters.max_time_in_seconds = max(0.2, time_limit_s * WALL_CAP_FACTOR)
    # The LP relaxation does the work on this model; heavy presolve (probing, clique merging,
    # symmetry) costs more than it saves at this size (measured: 0.4 s instead of 2 s to optimal).
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.merge_at_most_one_work_limit = 0
    solver.parameters.add_lp_constraints_lazily = False
    # Stop once the plan is provably within RELATIVE_GAP_LIMIT of the best possible one (a state
    # of the search, so still deterministic); proving the last 0.1 % can cost seconds.
    solver.parameters.relative_gap_limit = RELATIVE_GAP_LIMIT
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    placements = [
        Placement(s.index, st.key, bool(s.index in f and solver.value(f[s.index])) and st.key in parents)
        for s in slots
        for st in problem.types
        if solver.value(x[st.key, s.index])
    ]
    return SolveResult(
        placements=tuple(placements),
        objective=solver.objective_value,
        upper_bound=solver.best_objective_bound,
        status=solver.status_name(status),
    )
