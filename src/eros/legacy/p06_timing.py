"""Phase 6 — timing optimisation (v3 Ph 4 `timing-optimizer`, `schedule_optimizer.py`, §2.7).

Candidate slots on a 15-minute grid from 07:00 to 23:45 (00:00–02:45 as a last resort), each
jittered once per week by an RNG seeded from (creator, week) so no send lands on a quarter hour.
Slots are scored per send (base 50, prime and secondary windows, the creator's earnings by hour,
PPV evening bonus); sends are placed day by day, highest priority first, in the best slot that
keeps 45 minutes from every other send and the send type's own gap (across days too). A send
that no slot can take is dropped and reported, never squeezed in against the rules.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from eros.legacy.constants import (
    AFTER_MIDNIGHT_END_HOUR,
    AFTER_MIDNIGHT_PENALTY,
    DAY_START_HOUR,
    HISTORY_BONUS_MAX,
    LONG_GAP_MINUTES,
    PPV_EVENING_BONUS,
    PPV_EVENING_HOURS,
    PRIME_BONUS,
    SECONDARY_BONUS,
    SLOT_BASE_SCORE,
    SLOT_STEP_MINUTES,
)
from eros.legacy.state import Slot, TimedPlan
from eros.rules.rounding import clamp
from eros.rules.send_types import PPV_TYPES, Category, get_send_type
from eros.rules.timing import (
    CATEGORY_PRIORITY,
    COLLISION_PRIORITY,
    MIN_SPACING_MINUTES,
    apply_jitter,
    in_dead_zone,
    is_prime,
    is_secondary,
    jitter_offsets,
    minutes_of,
)

MINUTES_PER_DAY = 24 * 60


@lru_cache(maxsize=1)
def base_times() -> tuple[time, ...]:
    """The grid: 07:00–23:45, then 00:00–02:45 (the dead zone 03:00–06:59 never); built once."""
    day = range(DAY_START_HOUR * 60, MINUTES_PER_DAY, SLOT_STEP_MINUTES)
    night = range(0, AFTER_MIDNIGHT_END_HOUR * 60, SLOT_STEP_MINUTES)
    return tuple(time(m // 60, m % 60) for m in (*day, *night))


def jittered(day: date, base: time, offset: int) -> time | None:
    """The base time moved by the offset, off the quarter hour; None if it leaves the day or window."""
    start = datetime.combine(day, base)
    for candidate in (offset, abs(offset) or 1):
        moved = apply_jitter(start, candidate)
        if moved.date() == day and not in_dead_zone(moved.time()):
            return moved.time()
    return None


@lru_cache(maxsize=1)
def fine_slots() -> tuple[time, ...]:
    """The fallback of a crowded day (the same for every day, so built once): :02/:07 past each
    grid time, never a quarter hour or dead zone."""
    return tuple(
        t
        for base in base_times()
        for t in (time(base.hour, base.minute + 2), time(base.hour, base.minute + 7))
    )


def candidate_slots(days: Sequence[date], rng: random.Random) -> dict[date, list[time]]:
    """Every day's jittered grid, drawn once in a fixed order so the same seed gives the same week."""
    offsets = jitter_offsets()
    grid: dict[date, list[time]] = {}
    for day in days:
        times = (jittered(day, base, rng.choice(offsets)) for base in base_times())
        grid[day] = sorted({t for t in times if t is not None})
    return grid


def hour_strength(analytics: Mapping[str, Any]) -> dict[int, float]:
    """Revenue per send by hour relative to the best hour (0–1); empty without history."""
    by_hour = analytics.get("performance_by_hour") or {}
    values = {int(h): float(v.get("revenue_per_send", 0.0)) for h, v in by_hour.items()}
    best = max(values.values(), default=0.0)
    return {h: v / best for h, v in values.items()} if best > 0 else {}


def slot_score(send_type: str, day: date, at: time, strength: Mapping[int, float], tz: str) -> float:
    """The old optimiser's slot score, 0–100, for one send in one slot."""
    score = _calendar_score(send_type, day, at, tz) + HISTORY_BONUS_MAX * strength.get(at.hour, 0.0)
    return clamp(score, 0.0, 100.0)


@lru_cache(maxsize=65536)
def _calendar_score(send_type: str, day: date, at: time, tz: str) -> float:
    """The part of the score that depends only on the calendar (cached: it is asked for again and again)."""
    category = get_send_type(send_type).category
    score = SLOT_BASE_SCORE
    if category is Category.REVENUE:
        score += PRIME_BONUS * is_prime(day, at, tz) + SECONDARY_BONUS * is_secondary(day, at, tz)
        if send_type in PPV_TYPES and at.hour in PPV_EVENING_HOURS:
            score += PPV_EVENING_BONUS
    else:
        score += SECONDARY_BONUS * is_secondary(day, at, tz) + SECONDARY_BONUS * (not is_prime(day, at, tz))
    if at.hour < AFTER_MIDNIGHT_END_HOUR:
        score -= AFTER_MIDNIGHT_PENALTY
    return score


def priority(send_type: str) -> int:
    """ppv_unlock > ppv_followup > other revenue > engagement > retention (DOMAIN §4 collisions)."""
    return COLLISION_PRIORITY.get(send_type, CATEGORY_PRIORITY[get_send_type(send_type).category])


class Board:
    """Placed sends as minutes from the week's start, for O(log n) spacing and gap checks."""

    def __init__(self, week_start: date) -> None:
        self.week_start = week_start
        self.all: list[int] = []
        self.by_type: dict[str, list[int]] = defaultdict(list)

    def minute(self, day: date, at: time) -> int:
        return (day - self.week_start).days * MINUTES_PER_DAY + minutes_of(at)

    @staticmethod
    def _clear(values: list[int], minute: int, distance: int) -> bool:
        i = bisect.bisect_left(values, minute)
        before = i == 0 or minute - values[i - 1] >= distance
        after = i == len(values) or values[i] - minute >= distance
        return before and after

    def fits(self, send_type: str, minute: int) -> bool:
        gap = get_send_type(send_type).gap_minutes
        return self._clear(self.all, minute, MIN_SPACING_MINUTES) and self._clear(
            self.by_type[send_type], minute, gap
        )

    def place(self, send_type: str, minute: int) -> None:
        bisect.insort(self.all, minute)
        bisect.insort(self.by_type[send_type], minute)


def optimise(
    slots: Sequence[Slot], week_start: date, analytics: Mapping[str, Any], tz: str, rng: random.Random
) -> TimedPlan:
    days = sorted({s.day for s in slots} | {week_start + timedelta(days=i) for i in range(7)})
    grid = candidate_slots(days, rng)
    strength = hour_strength(analytics)
    board = Board(week_start)
    week_counts = Counter(s.send_type for s in slots)
    order = sorted(
        range(len(slots)),
        key=lambda i: (
            slots[i].day,
            get_send_type(slots[i].send_type).gap_minutes < LONG_GAP_MINUTES,
            priority(slots[i].send_type),
            week_counts[slots[i].send_type],
            slots[i].send_type,
            i,
        ),
    )
    timed: list[Slot] = []
    dropped: list[Slot] = []
    for i in order:
        slot = slots[i]
        chosen = _best(slot, grid[slot.day], board, strength, tz)
        if chosen is None:
            chosen = _best(slot, fine_slots(), board, strength, tz)
        if chosen is None:
            dropped.append(slot)
            continue
        board.place(slot.send_type, board.minute(slot.day, chosen))
        timed.append(replace(slot, time=chosen))
    timed.sort(key=lambda s: (s.moment, s.send_type))
    return TimedPlan(slots=tuple(timed), dropped=tuple(dropped))


def _best(
    slot: Slot, times: Sequence[time], board: Board, strength: Mapping[int, float], tz: str
) -> time | None:
    """The highest-scoring time (earliest on ties) that keeps spacing and the type's gap.

    Types with a gap of half a day or more take the earliest time instead, so the same type can
    follow a day later at about the same hour (scoring them would drift them into the evening).
    """
    if get_send_type(slot.send_type).gap_minutes >= LONG_GAP_MINUTES:
        ranked = sorted(times, key=lambda t: (t.hour < AFTER_MIDNIGHT_END_HOUR, t))
    else:
        ranked = sorted(times, key=lambda t: (-slot_score(slot.send_type, slot.day, t, strength, tz), t))
    return next((t for t in ranked if board.fits(slot.send_type, board.minute(slot.day, t))), None)
