"""Deterministic greedy fallback: the same Problem and hard constraints as the CP-SAT model.

Used when OR-Tools is unavailable or finds no solution in time. First it secures the diversity
minimums (the most valuable type of each missing kind, at its best slot), then it fills each day's
category targets with the most valuable feasible (type, slot) — revenue first, so follow-ups have
parents. Every choice is checked against the same caps, gaps, spacing and follow-up rules the CP
model encodes; ties break on slot order and type key, so the result is a pure function of the input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from eros.rules.followups import MAX_PER_DAY
from eros.rules.send_types import FOLLOWUP_KEY, FOLLOWUP_PARENTS, SEND_TYPES, Category
from eros.scheduling.problem import (
    FOLLOWUP_PARENT_SPACING_MINUTES,
    QUARTER,
    Placement,
    Problem,
    Slot,
)


@dataclass
class _State:
    problem: Problem
    by_slot: dict[int, Placement] = field(default_factory=dict)
    type_quarters: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    type_days: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    followup_quarters: list[int] = field(default_factory=list)
    followups_by_day: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    counts: dict[tuple[int, Category], int] = field(default_factory=lambda: defaultdict(int))
    occupied: set[int] = field(default_factory=set)
    media: int = 0
    ranked: dict[tuple[str, int], list[Slot]] = field(default_factory=dict)

    def by_value(self, key: str, day: int) -> list[Slot]:
        """The day's slots, most valuable first for this type (ties: earlier slot)."""
        if (key, day) not in self.ranked:
            values = self.problem.value[key]
            self.ranked[key, day] = sorted(
                self.problem.slots_of_day(day), key=lambda s: (-values[s.index], s.index)
            )
        return self.ranked[key, day]

    def can_place(self, key: str, slot: Slot) -> bool:
        st = SEND_TYPES[key]
        if self.type_days[key, slot.day] >= st.max_per_day:
            return False
        if st.max_per_week is not None and len(self.type_quarters[key]) >= st.max_per_week:
            return False
        spacing = self.problem.spacing_quarters
        if any(q in self.occupied for q in range(slot.quarter - spacing + 1, slot.quarter + spacing)):
            return False
        gap = st.gap_minutes // QUARTER
        return all(abs(q - slot.quarter) >= gap for q in self.type_quarters[key])

    def place(self, key: str, slot: Slot) -> None:
        self.by_slot[slot.index] = Placement(slot.index, key)
        self.occupied.add(slot.quarter)
        self.type_quarters[key].append(slot.quarter)
        self.type_days[key, slot.day] += 1
        self.counts[slot.day, SEND_TYPES[key].category] += 1
        self.media += 1 if SEND_TYPES[key].requires_media else 0

    def can_follow(self, slot: Slot) -> bool:
        placement = self.by_slot.get(slot.index)
        if placement is None or placement.follow_up or placement.send_type not in FOLLOWUP_PARENTS:
            return False
        if (
            not (slot.parent_ok and self.problem.allow_followups)
            or self.followups_by_day[slot.day] >= MAX_PER_DAY
        ):
            return False
        spacing = FOLLOWUP_PARENT_SPACING_MINUTES // QUARTER
        return all(abs(q - slot.quarter) >= spacing for q in self.followup_quarters)

    def follow(self, slot: Slot) -> None:
        placement = self.by_slot[slot.index]
        self.by_slot[slot.index] = Placement(slot.index, placement.send_type, True)
        self.followup_quarters.append(slot.quarter)
        self.followups_by_day[slot.day] += 1
        self.counts[slot.day, Category.RETENTION] += 1

    def room(self, day: int, category: Category) -> bool:
        return self.counts[day, category] < self.problem.targets[day][category]

    def standalone_room(self, day: int, category: Category) -> bool:
        """Sends on their own stay within the target; follow-ups only count towards it."""
        followups = self.followups_by_day[day] if category is Category.RETENTION else 0
        return self.counts[day, category] - followups < self.problem.targets[day][category]


def _best(state: _State, keys: Iterable[str], days: Iterable[int]) -> tuple[str, Slot] | None:
    problem = state.problem
    best: tuple[int, str, Slot] | None = None
    loss = problem.media_loss
    media = min(state.media, len(loss) - 2) if len(loss) > 1 else 0
    marginal = loss[media + 1] - loss[media] if len(loss) > 1 else 0
    for key in sorted(keys):
        category = SEND_TYPES[key].category
        cost = marginal if SEND_TYPES[key].requires_media else 0
        for day in days:
            if not state.room(day, category) or not state.standalone_room(day, category):
                continue
            for slot in state.by_value(key, day):
                value = problem.value[key][slot.index] - cost
                if best is not None and value <= best[0]:
                    break
                if state.can_place(key, slot):
                    best = (value, key, slot)
                    break
    return None if best is None else (best[1], best[2])


def _best_followup(state: _State, days: Iterable[int]) -> Slot | None:
    wanted = set(days)
    candidates = [s for s in state.problem.slots if s.day in wanted and state.can_follow(s)]
    return max(candidates, key=lambda s: (state.problem.followup_value[s.index], -s.index), default=None)


def _secure_diversity(state: _State) -> None:
    problem = state.problem
    used: set[str] = set()
    for category in (Category.REVENUE, Category.ENGAGEMENT, Category.RETENTION):
        keys = [st.key for st in problem.types if st.category is category]
        while sum(1 for k in used if SEND_TYPES[k].category is category) < problem.min_by_category[category]:
            if category is Category.RETENTION and FOLLOWUP_KEY not in used:
                slot = _best_followup(state, range(7))
                if slot is not None:
                    state.follow(slot)
                    used.add(FOLLOWUP_KEY)
                    continue
            choice = _best(state, [k for k in keys if k not in used], range(7))
            if choice is None:
                break
            state.place(*choice)
            used.add(choice[0])
    while len(used) < problem.min_distinct:
        choice = _best(state, [k for k in problem.type_keys if k not in used], range(7))
        if choice is None:
            break
        state.place(*choice)
        used.add(choice[0])


def solve(problem: Problem) -> tuple[tuple[Placement, ...], float, float]:
    """Placements, their objective (same units as the CP model) and a relaxation upper bound."""
    state = _State(problem)
    _secure_diversity(state)
    for category in (Category.REVENUE, Category.ENGAGEMENT, Category.RETENTION):
        keys = [st.key for st in problem.types if st.category is category]
        for day in range(7):
            while state.room(day, category):
                choice = _best(state, keys, [day])
                follow = _best_followup(state, [day]) if category is Category.RETENTION else None
                if follow is not None and (
                    choice is None
                    or problem.followup_value[follow.index] >= problem.value[choice[0]][choice[1].index]
                ):
                    state.follow(follow)
                elif choice is not None:
                    state.place(*choice)
                else:
                    break
    # Every remaining parent that can take a follow-up gets one (beyond the retention target).
    while (follow := _best_followup(state, range(7))) is not None:
        state.follow(follow)
    placements = tuple(sorted(state.by_slot.values(), key=lambda p: p.slot))
    return placements, objective(problem, placements), upper_bound(problem)


def objective(problem: Problem, placements: Iterable[Placement]) -> float:
    """The CP model's objective for a set of placements: value − shortfall penalty − content fatigue."""
    total = 0
    media = 0
    counts: dict[tuple[int, Category], int] = defaultdict(int)
    for p in placements:
        slot = problem.slots[p.slot]
        total += problem.value[p.send_type][p.slot]
        media += 1 if SEND_TYPES[p.send_type].requires_media else 0
        counts[slot.day, SEND_TYPES[p.send_type].category] += 1
        if p.follow_up:
            total += problem.followup_value[p.slot]
            counts[slot.day, Category.RETENTION] += 1
    short = sum(max(0, problem.targets[d][c] - counts[d, c]) for d in range(7) for c in Category)
    fatigue = problem.media_loss[min(media, len(problem.media_loss) - 1)]
    return float(total - problem.shortfall_penalty * short - fatigue)


def upper_bound(problem: Problem) -> float:
    """A relaxation: each day, its targets' worth of the most valuable sends of each category plus its
    five most valuable follow-ups, ignoring every other rule (so never below the true optimum)."""
    bound = 0
    for day in range(7):
        slots = problem.slots_of_day(day)
        for category in Category:
            values = [
                problem.value[st.key][s.index]
                for st in problem.types
                if st.category is category
                for s in slots
            ]
            bound += sum(sorted(values, reverse=True)[: problem.targets[day][category]])
        followups = sorted((problem.followup_value[s.index] for s in slots), reverse=True)
        bound += sum(followups[:MAX_PER_DAY])
    return float(bound)
