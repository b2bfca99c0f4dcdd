"""The week as an optimisation problem: candidate slots, allowed types, targets and slot values.

Both solvers (optimizer.py, greedy.py) read one `Problem` and answer with `Placement`s on its base
grid; assemble.py turns placements into items. Times here are *base* times on the quarter-hour grid
outside the dead zone; the jitter of DOMAIN §4 is applied later without breaking any gap, because
every separation is enforced on base times and jitter is drawn in time order (assemble.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from eros.models import CreatorContext, Violation
from eros.rules.followups import DELAY_MAX_MINUTES, LATE_NIGHT_CUTOFF
from eros.rules.followups import MIN_MINUTES_APART as FOLLOWUP_MIN_MINUTES_APART
from eros.rules.pricing import base_price, in_bounds
from eros.rules.send_types import (
    FOLLOWUP_KEY,
    FOLLOWUP_PARENTS,
    MIN_DISTINCT_TYPES,
    SEND_TYPES,
    Category,
    PageType,
    SendType,
    min_distinct_by_category,
    schedulable_types,
)
from eros.rules.timing import (
    DEAD_ZONE_END_HOUR,
    DEAD_ZONE_START_HOUR,
    JITTER_MAX,
    JITTER_MIN,
    MIN_SPACING_MINUTES,
    in_dead_zone,
    is_prime,
    is_secondary,
    minutes_of,
)
from eros.rules.volume import week_targets
from eros.scheduling.revenue_model import RevenueModel

QUARTER = 15
QUARTERS_PER_DAY = 24 * 60 // QUARTER
#: Base slots are every third quarter hour, chained from 07:00 across midnight (…, 23:30, 00:15,
#: …, 02:30, 07:00): the densest subset of the quarter-hour grid that 45-minute spacing allows.
#: On the full quarter-hour grid CP-SAT needs 3–4 s per week for ≈1 % more objective (GENERATOR.md).
SLOT_STEP_QUARTERS = 3
GRID_ANCHOR_MINUTE = DEAD_ZONE_END_HOUR * 60
#: Objective units per USD (CP-SAT needs integers).
UNITS_PER_USD = 100
#: Soft preference (DOMAIN §4 prime hours, scored in §9): share added to a revenue send's value.
PRIME_BONUS = 0.15
SECONDARY_BONUS = 0.05
#: Shortfall against a daily category target costs this multiple of the most valuable send.
SHORTFALL_WEIGHT = 4
#: Share of a content type's trigger multiplier (§7) that becomes a soft preference.
TRIGGER_WEIGHT = 0.5
#: A MEDIUM learning that prefers (or avoids) something moves its value by this share.
LEARNING_WEIGHT = 0.10
#: Two parents that get follow-ups are this far apart on the base grid, so their follow-ups
#: (up to 45 min after a jittered parent) are always ≥ 60 min apart (DOMAIN §5): 60 + 45 + 8 + 7 = 120.
FOLLOWUP_PARENT_SPACING_MINUTES = FOLLOWUP_MIN_MINUTES_APART + DELAY_MAX_MINUTES + JITTER_MAX - JITTER_MIN
#: Latest base time of a parent that gets a follow-up: + jitter + longest delay stays before the cutoff.
LAST_PARENT_MINUTE = (minutes_of(LATE_NIGHT_CUTOFF) - JITTER_MAX - DELAY_MAX_MINUTES) // QUARTER * QUARTER
#: Latest early-morning base time of such a parent: its follow-up lands before the dead zone.
LAST_EARLY_PARENT_MINUTE = (
    (DEAD_ZONE_START_HOUR * 60 - 1 - JITTER_MAX - DELAY_MAX_MINUTES) // QUARTER * QUARTER
)


@dataclass(frozen=True, slots=True)
class Slot:
    """One candidate base time: a quarter hour of the week outside the dead zone."""

    index: int
    quarter: int
    day: int
    day_date: date
    minute: int
    prime: bool
    secondary: bool
    parent_ok: bool

    @property
    def hour(self) -> int:
        return self.minute // 60

    @property
    def weekday(self) -> int:
        return self.day_date.weekday()


@dataclass(frozen=True, slots=True)
class Placement:
    """A solver's decision: send type `send_type` at base slot `slot`, with a follow-up or not."""

    slot: int
    send_type: str
    follow_up: bool = False


@dataclass(frozen=True, slots=True)
class FeedbackActions:
    """What a rejected try's violations make the next try do differently."""

    banned_types: frozenset[str] = frozenset()
    banned_content: frozenset[str] = frozenset()
    banned_captions: frozenset[int] = frozenset()
    no_followups: bool = False
    extra_spacing: bool = False
    extra_diversity: int = 0


@dataclass(frozen=True)
class Problem:
    context: CreatorContext
    model: RevenueModel
    slots: tuple[Slot, ...]
    types: tuple[SendType, ...]
    usable_content: tuple[str, ...]
    targets: tuple[Mapping[Category, int], ...]
    value: Mapping[str, tuple[int, ...]]
    followup_value: tuple[int, ...]
    media_loss: tuple[int, ...]
    spacing_quarters: int
    allow_followups: bool
    min_distinct: int
    min_by_category: Mapping[Category, int]
    feedback: FeedbackActions
    learning: LearningRules
    notes: tuple[str, ...] = field(default=())

    def slots_of_day(self, day: int) -> list[Slot]:
        return [s for s in self.slots if s.day == day]

    @property
    def type_keys(self) -> tuple[str, ...]:
        return tuple(st.key for st in self.types)

    @property
    def shortfall_penalty(self) -> int:
        """Objective cost of one send short of a daily category target: more than any send earns."""
        top = max([max(v) for v in self.value.values()] + [max(self.followup_value, default=0), 1])
        return SHORTFALL_WEIGHT * top


def _offset_changes(day: date, tz: ZoneInfo) -> bool:
    """Whether the zone's UTC offset differs between this midnight and the next (a DST day)."""
    midnight = datetime.combine(day, datetime.min.time(), tz)
    return midnight.utcoffset() != (midnight + timedelta(days=1)).utcoffset()


def _exists(day: date, minute: int, tz: ZoneInfo) -> bool:
    """False for wall-clock times a DST change skips (they would not be real local times)."""
    local = datetime.combine(day, datetime.min.time(), tz) + timedelta(minutes=minute)
    naive = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
    return local.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) == naive


def build_slots(week_start: date, tz_name: str, step_quarters: int = SLOT_STEP_QUARTERS) -> tuple[Slot, ...]:
    """Base slots every `step_quarters` quarter hours from 07:00 (3: the 45-minute grid, 1: every quarter)."""
    tz = ZoneInfo(tz_name)
    slots: list[Slot] = []
    for day in range(7):
        d = week_start + timedelta(days=day)
        # Only a day whose offset changes can skip wall-clock times (two round trips a slot).
        dst_day = _offset_changes(d, tz)
        for q in range(QUARTERS_PER_DAY):
            minute = q * QUARTER
            if (minute - GRID_ANCHOR_MINUTE) % (step_quarters * QUARTER):
                continue
            t = time(minute // 60, minute % 60)
            if in_dead_zone(t) or (dst_day and not _exists(d, minute, tz)):
                continue
            slots.append(
                Slot(
                    index=len(slots),
                    quarter=day * QUARTERS_PER_DAY + q,
                    day=day,
                    day_date=d,
                    minute=minute,
                    prime=is_prime(d, t, tz_name),
                    secondary=is_secondary(d, t, tz_name),
                    parent_ok=minute <= LAST_PARENT_MINUTE
                    and (minute >= DEAD_ZONE_END_HOUR * 60 or minute <= LAST_EARLY_PARENT_MINUTE),
                )
            )
    return tuple(slots)


def daily_targets(context: CreatorContext) -> tuple[dict[Category, int], ...]:
    """Per-day category targets from the volume config (preflight's `days`), else the rulebook's."""
    rows = context.volume_config.get("days")
    by_date: dict[str, Mapping[str, Any]] = {
        str(r.get("date")): r for r in rows or [] if isinstance(r, Mapping)
    }
    out: list[dict[Category, int]] = []
    computed = week_targets(
        context.week_start,
        str(context.volume_config.get("tier", "MINIMAL")),
        context.page_type,
        float(context.volume_config.get("trigger_multiplier", 1.0)),
        int(context.volume_config.get("health_adjustment", 0)),
        context.volume_config.get("mm_revenue"),
    )
    for day in computed:
        row = by_date.get(day.day.isoformat())
        out.append({cat: int(row[cat.value]) if row is not None else day.target(cat) for cat in Category})
    return tuple(out)


_WORD = re.compile(r"[A-Za-z0-9_]+")


def feedback_actions(feedback: Sequence[Violation], context: CreatorContext) -> FeedbackActions:
    """Turn the validator's violations into constraints for the next try (documented in GENERATOR.md)."""
    banned_types: set[str] = set()
    banned_content: set[str] = set()
    banned_captions: set[int] = set()
    no_followups = extra_spacing = False
    extra_diversity = 0
    known_content = set(context.vault_types) | set(context.avoid_types)
    for violation in feedback:
        words = set(_WORD.findall(violation.message))
        if violation.code in ("VAULT_VIOLATION", "AVOID_TIER_VIOLATION"):
            banned_content |= words & known_content
        elif violation.code in ("PAGE_TYPE_VIOLATION", "FLYER_REQUIREMENT_VIOLATION", "PRICE_OUT_OF_BOUNDS"):
            banned_types |= words & SEND_TYPES.keys()
        elif violation.code == "FOLLOWUP_VIOLATION":
            no_followups = True
        elif violation.code == "TIMING_COLLISION":
            extra_spacing = True
        elif violation.code == "INSUFFICIENT_DIVERSITY":
            extra_diversity = 1
        elif violation.code == "STRUCTURE_ERROR":
            banned_captions |= {
                int(n) for n in re.findall(r"caption[ _]?(?:id)?\D{0,3}(\d+)", violation.message)
            }
    banned_types.discard(FOLLOWUP_KEY)
    return FeedbackActions(
        frozenset(banned_types),
        frozenset(banned_content),
        frozenset(banned_captions),
        no_followups,
        extra_spacing,
        extra_diversity,
    )


@dataclass(frozen=True, slots=True)
class LearningRules:
    """What the creator's HIGH and MEDIUM learnings ask of the week (eros.learnings DIRECTIVE_KEYS).

    HIGH learnings are corrections: their `avoid_*` directives are obeyed as constraints. MEDIUM
    learnings are preferred patterns: `prefer_*`/`avoid_*` shift values by LEARNING_WEIGHT (HIGH
    `prefer_*` by twice that). Price limits of either confidence bound every priced send. LOW
    learnings are not acted on.
    """

    type_share: Mapping[str, float] = field(default_factory=dict)
    hour_share: Mapping[int, float] = field(default_factory=dict)
    content_share: Mapping[str, float] = field(default_factory=dict)
    banned_hours: frozenset[int] = frozenset()
    banned_types: frozenset[str] = frozenset()
    banned_content: frozenset[str] = frozenset()
    min_price: float | None = None
    max_price: float | None = None


def learning_rules(context: CreatorContext) -> LearningRules:
    shares: dict[str, dict[Any, float]] = {"send_types": {}, "hours": {}, "content": {}}
    banned: dict[str, set[Any]] = {"send_types": set(), "hours": set(), "content": set()}
    low: float | None = None
    high: float | None = None
    for learning in context.learnings:
        confidence = learning.confidence.upper()
        if confidence not in ("HIGH", "MEDIUM"):
            continue
        weight = LEARNING_WEIGHT * (2 if confidence == "HIGH" else 1)
        for key, value in learning.directive.items():
            if key == "min_price" and isinstance(value, int | float):
                low = max(low or 0.0, float(value))
                continue
            if key == "max_price" and isinstance(value, int | float):
                high = min(high if high is not None else float(value), float(value))
                continue
            action, _, kind = key.partition("_")
            if kind not in shares or not isinstance(value, list):
                continue
            names = [int(v) % 24 if kind == "hours" else str(v) for v in value]
            if action == "avoid" and confidence == "HIGH":
                banned[kind].update(names)
            else:
                for name in names:
                    shares[kind][name] = shares[kind].get(name, 0.0) + (
                        weight if action == "prefer" else -weight
                    )
    return LearningRules(
        type_share=shares["send_types"],
        hour_share=shares["hours"],
        content_share=shares["content"],
        banned_hours=frozenset(banned["hours"]),
        banned_types=frozenset(banned["send_types"]),
        banned_content=frozenset(banned["content"]),
        min_price=low,
        max_price=high,
    )


def _content_weight(context: CreatorContext, learning: LearningRules, content_type: str) -> float:
    multiplier = context.trigger_multipliers.get(content_type, 1.0)
    trigger = 1.0 + (multiplier - 1.0) * TRIGGER_WEIGHT
    return trigger * max(0.0, 1.0 + learning.content_share.get(content_type, 0.0))


def content_preference(problem: Problem, content_type: str) -> float:
    """Soft weight of a content type when choosing content (DOMAIN §7 decision): its trigger
    multiplier, damped by TRIGGER_WEIGHT because the history behind the revenue model has already
    seen most of what the trigger saw, times the learnings' shift."""
    return _content_weight(problem.context, problem.learning, content_type)


def build_problem(
    context: CreatorContext,
    model: RevenueModel,
    feedback: Sequence[Violation] = (),
    *,
    step_quarters: int = SLOT_STEP_QUARTERS,
) -> Problem:
    """The week on base slots every `step_quarters` quarter hours (build_slots)."""
    actions = feedback_actions(feedback, context)
    learning = learning_rules(context)
    page = PageType(context.page_type)
    usable = tuple(
        sorted(
            set(context.vault_types)
            - set(context.avoid_types)
            - actions.banned_content
            - learning.banned_content
        )
    )
    types = tuple(
        st
        for st in schedulable_types(page)
        if st.key not in actions.banned_types | learning.banned_types and (usable or not st.requires_media)
    )
    slots = tuple(
        replace(s, index=i)
        for i, s in enumerate(
            s
            for s in build_slots(context.week_start, context.timezone, step_quarters)
            if s.hour not in learning.banned_hours
        )
    )
    by_type, by_hour = learning.type_share, learning.hour_share
    weights = {ct: model.content(ct) * _content_weight(context, learning, ct) for ct in usable}
    media_factor = sum(weights.values()) / len(weights) if weights else 1.0
    base = base_price(context.base_price, None)
    price_estimate = base if in_bounds(base) else None
    value: dict[str, tuple[int, ...]] = {}
    for st in types:
        row = []
        for slot in slots:
            usd = model.expected(
                st.key,
                weekday=slot.weekday,
                hour=slot.hour,
                price=price_estimate if st.requires_price else None,
            ) * (media_factor if st.requires_media else 1.0)
            share = 1.0 + by_type.get(st.key, 0.0) + by_hour.get(slot.hour, 0.0)
            if st.category is Category.REVENUE:
                share += PRIME_BONUS if slot.prime else SECONDARY_BONUS if slot.secondary else 0.0
            row.append(max(1, round(usd * max(share, 0.0) * UNITS_PER_USD)))
        value[st.key] = tuple(row)
    allow_followups = not actions.no_followups and any(st.key in FOLLOWUP_PARENTS for st in types)
    followup_value = tuple(
        max(1, round(model.expected(FOLLOWUP_KEY, weekday=s.weekday, hour=s.hour) * UNITS_PER_USD))
        if s.parent_ok and allow_followups
        else 0
        for s in slots
    )
    media_types = [st for st in types if st.requires_media]
    mean_media_value = (
        sum(sum(value[st.key]) / len(slots) for st in media_types) / len(media_types) if media_types else 0.0
    )
    capacity = sum(st.week_cap for st in media_types)
    notes: list[str] = []
    min_distinct, min_by_category = _diversity(types, page, allow_followups, actions.extra_diversity, notes)
    return Problem(
        context=context,
        model=model,
        slots=slots,
        types=types,
        usable_content=usable,
        targets=daily_targets(context),
        value=value,
        followup_value=followup_value,
        media_loss=media_fatigue_loss(model, len(usable), capacity, mean_media_value),
        spacing_quarters=-(-MIN_SPACING_MINUTES // QUARTER)
        + (SLOT_STEP_QUARTERS if actions.extra_spacing else 0),
        allow_followups=allow_followups,
        min_distinct=min_distinct,
        min_by_category=min_by_category,
        feedback=actions,
        learning=learning,
        notes=tuple(notes + list(model.notes)),
    )


def media_fatigue_loss(
    model: RevenueModel, contents: int, capacity: int, mean_value: float
) -> tuple[int, ...]:
    """Expected value lost to content fatigue with M media sends in the week, for M = 0..capacity.

    With U usable content types and M > U media sends, M − U sends repeat a content type, about
    7·U/M days after its previous use; each loses `1 − fatigue(gap)` of a mean media send's value.
    Made convex (running maximum of increments) so the solver can take it as lines.
    """
    raw = [0.0]
    for m in range(1, capacity + 1):
        repeats = max(0, m - contents)
        gap = int(7 * contents / m) if contents else 0
        raw.append(repeats * mean_value * (1 - model.fatigue_factor(gap)))
    loss = [0.0]
    step = 0.0
    for m in range(1, len(raw)):
        step = max(step, raw[m] - raw[m - 1])
        loss.append(loss[-1] + step)
    return tuple(round(v) for v in loss)


def _diversity(
    types: Sequence[SendType], page: PageType, followups: bool, extra: int, notes: list[str]
) -> tuple[int, dict[Category, int]]:
    """DOMAIN §3 minimums (+ feedback), capped at what the allowed types can reach."""
    available = {cat: sum(1 for st in types if st.category is cat) for cat in Category}
    available[Category.RETENTION] += 1 if followups else 0
    wanted = {cat: minimum + extra for cat, minimum in min_distinct_by_category(page).items()}
    mins = {cat: min(wanted[cat], available[cat]) for cat in Category}
    total = min(MIN_DISTINCT_TYPES + extra, sum(available.values()))
    if any(mins[c] < wanted[c] for c in Category) or total < MIN_DISTINCT_TYPES + extra:
        notes.append("diversity minimums cannot be met with this vault and page type")
    return total, mins
