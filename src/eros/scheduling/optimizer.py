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

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
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


def solve(
    problem: Problem,
    time_limit_s: float,
    *,
    allowed: AbstractSet[tuple[str, int]] | None = None,
    hint: Sequence[Placement] = (),
) -> SolveResult | None:
    """Optimise the week; None when CP-SAT finds no solution within the limit (the caller falls back).

    `allowed` limits the sends to those (send type, slot) pairs (the quarter-hour refinement's
    neighbourhood, refine.py); `hint` is a known plan CP-SAT starts from. Without them the model
    is the 45-minute week's, variable for variable and constraint for constraint.
    """
    m = cp_model.CpModel()
    slots = problem.slots
    by_quarter = {s.quarter: s.index for s in slots}
    # cols[key][slot index]: the send's variable, None where the send may not be placed.
    cols: dict[str, list[cp_model.IntVar | None]] = {}
    for st in problem.types:
        cols[st.key] = [
            m.new_bool_var(f"x_{st.key}_{s.index}")
            if allowed is None or (st.key, s.index) in allowed
            else None
            for s in slots
        ]
    columns = list(cols.values())

    def sends(key: str, indices: Iterable[int]) -> list[cp_model.IntVar]:
        col = cols[key]
        return [v for v in (col[i] for i in indices) if v is not None]

    parents = [st.key for st in problem.types if st.key in FOLLOWUP_PARENTS]
    f: dict[int, cp_model.IntVar] = {}
    if problem.allow_followups:
        for s in slots:
            parent_sends = [v for v in (cols[p][s.index] for p in parents) if v is not None]
            if s.parent_ok and (allowed is None or parent_sends):
                f[s.index] = m.new_bool_var(f"f_{s.index}")
                m.add(f[s.index] <= Sum(parent_sends))

    windows: dict[int, list[list[int]]] = {}

    def windows_of(length: int) -> list[list[int]]:
        """Per slot, the slots within `length` quarter hours from it (itself first)."""
        if length not in windows:
            windows[length] = [
                [by_quarter[q] for q in range(s.quarter, s.quarter + length) if q in by_quarter]
                for s in slots
            ]
        return windows[length]

    # 45-minute spacing between sends that are not follow-ups (one send per window of 3 quarters).
    for members in windows_of(problem.spacing_quarters):
        m.add_at_most_one([v for col in columns for v in (col[i] for i in members) if v is not None])

    days = range(7)
    day_slots = {d: [s.index for s in slots if s.day == d] for d in days}
    for st in problem.types:
        length = st.gap_minutes // QUARTER
        for d in days:
            m.add(Sum(sends(st.key, day_slots[d])) <= st.max_per_day)
        if st.max_per_week is not None:
            m.add(Sum(sends(st.key, range(len(slots)))) <= st.max_per_week)
        if length <= problem.spacing_quarters:
            continue
        if st.max_per_day == 1:
            # At most one a day: only consecutive days can be closer than the gap.
            col = cols[st.key]
            for d in days[:-1]:
                here = [i for i in day_slots[d] if col[i] is not None]
                there = [i for i in day_slots[d + 1] if col[i] is not None]
                if not here or not there:
                    continue
                a = m.new_bool_var(f"p_{st.key}_{d}")
                b = m.new_bool_var(f"p_{st.key}_{d + 1}")
                m.add(Sum(sends(st.key, here)) == a)
                m.add(Sum(sends(st.key, there)) == b)
                t_here = Weighted(sends(st.key, here), [slots[i].quarter for i in here])
                t_there = Weighted(sends(st.key, there), [slots[i].quarter for i in there])
                m.add(t_there - t_here >= length).only_enforce_if([a, b])
        else:
            for members in windows_of(length):
                if len(members) > 1:
                    m.add_at_most_one(sends(st.key, members))

    if f:
        for members in windows_of(FOLLOWUP_PARENT_SPACING_MINUTES // QUARTER):
            near = [f[i] for i in members if i in f]
            if len(near) > 1:
                m.add_at_most_one(near)
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
                [v for st in problem.types if st.category is cat for v in sends(st.key, day_slots[d])]
            )
            m.add(standalone <= target)
            followups = [f[i] for i in day_slots[d] if i in f] if cat is Category.RETENTION else []
            m.add(standalone + Sum(followups) + short >= target)
            shortfalls.append(short)

    # Diversity across the week (follow-ups count as a retention type).
    used: dict[str, cp_model.IntVar] = {}
    for st in problem.types:
        used[st.key] = m.new_bool_var(f"used_{st.key}")
        m.add(used[st.key] <= Sum([v for v in cols[st.key] if v is not None]))
    used_followup = m.new_bool_var("used_followup")
    m.add(used_followup <= Sum(list(f.values())))
    m.add(Sum(list(used.values())) + used_followup >= problem.min_distinct)
    for cat, minimum in problem.min_by_category.items():
        kinds = [used[st.key] for st in problem.types if st.category is cat]
        if cat is Category.RETENTION:
            kinds.append(used_followup)
        m.add(Sum(kinds) >= minimum)

    # Content fatigue: a convex penalty on the week's number of media sends (problem.media_fatigue_loss).
    media = [v for st in problem.types if st.requires_media for v in cols[st.key] if v is not None]
    fatigue = m.new_int_var(0, max(problem.media_loss[-1], 0), "fatigue")
    if media and problem.media_loss[-1] > 0:
        count = m.new_int_var(0, len(problem.media_loss) - 1, "media_sends")
        m.add(count == Sum(media))
        loss = problem.media_loss
        for k in range(len(loss) - 1):
            if loss[k + 1] > loss[k]:
                m.add(fatigue >= loss[k] + (loss[k + 1] - loss[k]) * (count - k))

    variables: list[cp_model.IntVar] = []
    weights: list[int] = []
    for st in problem.types:
        value = problem.value[st.key]
        for i, v in enumerate(cols[st.key]):
            if v is not None:
                variables.append(v)
                weights.append(value[i])
    variables += list(f.values())
    weights += [problem.followup_value[i] for i in f]
    variables += [*shortfalls, fatigue]
    weights += [-problem.shortfall_penalty] * len(shortfalls) + [-1]
    _maximize(m, variables, weights)
    for placement in hint:
        if (hinted := cols[placement.send_type][placement.slot]) is not None:
            m.add_hint(hinted, 1)

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
    # One read of the whole solution instead of a solver call per variable.
    solution = list(solver.response_proto.solution)
    followed = {i for i, v in f.items() if solution[v.index]}
    placements = [
        Placement(s.index, st.key, s.index in followed and st.key in parents)
        for s in slots
        for st in problem.types
        if (v := cols[st.key][s.index]) is not None and solution[v.index]
    ]
    return SolveResult(
        placements=tuple(placements),
        objective=solver.objective_value,
        upper_bound=solver.best_objective_bound,
        status=solver.status_name(status),
    )


def _maximize(m: cp_model.CpModel, variables: Sequence[cp_model.IntVar], weights: Sequence[int]) -> None:
    """`m.maximize(Weighted(variables, weights))` on a model without an objective, written at once: the same
    objective (CP-SAT keeps a maximisation as the negated minimisation, scaling factor −1), but
    CpModel.maximize copies the terms into the model one Python call each (thousands a week)."""
    objective = m.proto.objective
    objective.vars.extend([v.index for v in variables])
    objective.coeffs.extend([-w for w in weights])
    objective.scaling_factor = -1.0
    objective.offset = 0.0
