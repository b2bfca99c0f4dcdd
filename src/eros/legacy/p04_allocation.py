"""Phase 4 — send-type allocation per day (v3 Ph 2 `send-type-allocator` + 2.5 `variety-enforcer`).

Quotas come from the volume config's per-day targets; each day gets a strategy (weighted by
saturation/opportunity, never yesterday's) and the allocator's daily flavour; half the revenue
slots go to PPV (the caption-pool rule "ppv = revenue // 2"), the rest round-robin over the
category's pool in strategy order. A final repair swaps over-used types for unused ones until
the week clears the diversity gate with a margin.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from eros.legacy.constants import (
    DAILY_FLAVOR,
    HIGH_SCORE,
    OPPORTUNITY_WEIGHTS,
    SATURATED_WEIGHTS,
    STRATEGIES,
    STRATEGY_BOOSTS,
    TARGET_DISTINCT_TOTAL,
)
from eros.legacy.state import Allocation, DayQuota, Performance, Slot
from eros.rules.send_types import (
    FOLLOWUP_KEY,
    FOLLOWUP_PARENTS,
    PPV_TYPES,
    Category,
    get_send_type,
    min_distinct_by_category,
    types_in,
)
from eros.rules.timing import parse_date


def standalone_pool(category: Category, page_type: str) -> list[str]:
    """The category's types a day may hold on its own (follow-ups hang off a parent, phase 7)."""
    return [st.key for st in types_in(category, page_type) if st.key != FOLLOWUP_KEY]


def retention_capacity(page_type: str) -> int:
    return sum(get_send_type(k).max_per_day for k in standalone_pool(Category.RETENTION, page_type))


def day_targets(volume: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The per-day targets of a `get_volume_config` answer, first day first."""
    return sorted(volume.get("days") or [], key=lambda d: str(d["date"]))


def quotas(volume: Mapping[str, Any], page_type: str, extra_retention: int) -> tuple[DayQuota, ...]:
    """Revenue/engagement/retention per day; standalone retention only on paid pages, risk-boosted."""
    capacity = retention_capacity(page_type)
    out = []
    for day in day_targets(volume):
        retention = min(int(day["retention"]) + extra_retention, capacity) if capacity else 0
        out.append(
            DayQuota(parse_date(str(day["date"])), int(day["revenue"]), int(day["engagement"]), retention)
        )
    return tuple(out)


def choose_strategies(days: int, saturation: float, opportunity: float, rng: random.Random) -> list[str]:
    """A weighted strategy per day, never the same as the day before (ORCHESTRATION Ph 2)."""
    weights = dict.fromkeys(STRATEGIES, 1 / len(STRATEGIES))
    if saturation > HIGH_SCORE:
        weights.update(SATURATED_WEIGHTS)
    elif opportunity > HIGH_SCORE:
        weights.update(OPPORTUNITY_WEIGHTS)
    chosen: list[str] = []
    for _ in range(days):
        candidates = [s for s in STRATEGIES if not chosen or s != chosen[-1]]
        chosen.append(rng.choices(candidates, weights=[weights[s] for s in candidates])[0])
    return chosen


def fits(key: str, day_counts: Counter[str], week_counts: Counter[str]) -> bool:
    st = get_send_type(key)
    return day_counts[key] < st.max_per_day and (
        st.max_per_week is None or week_counts[key] < st.max_per_week
    )


def ordered_pool(
    pool: Sequence[str],
    strategy: str,
    weekday: int,
    week_counts: Counter[str],
    type_value: Mapping[str, float],
) -> list[str]:
    """Strategy and flavour boosts first; then least used this week (variety_max) or best earners."""
    boosts = set(STRATEGY_BOOSTS[strategy]) | set(DAILY_FLAVOR[weekday])
    variety = strategy == "variety_max"

    def key(name: str) -> tuple[int, int, float, int, str]:
        return (
            0 if name in boosts else 1,
            week_counts[name] if variety else 0,
            -type_value.get(name, 0.0),
            week_counts[name],
            name,
        )

    return sorted(pool, key=key)


def fill(n: int, pool: Sequence[str], day_counts: Counter[str], week_counts: Counter[str]) -> list[str]:
    """Round-robin over `pool`, one of each type per pass, within the daily and weekly caps."""
    picks: list[str] = []
    while len(picks) < n:
        added = False
        for key in pool:
            if len(picks) >= n:
                break
            if fits(key, day_counts, week_counts):
                picks.append(key)
                day_counts[key] += 1
                week_counts[key] += 1
                added = True
        if not added:
            break
    return picks


def allocate_day(
    quota: DayQuota,
    page_type: str,
    strategy: str,
    week_counts: Counter[str],
    type_value: Mapping[str, float],
) -> list[str]:
    day_counts: Counter[str] = Counter()
    weekday = quota.day.weekday()
    revenue_pool = standalone_pool(Category.REVENUE, page_type)
    ppv = [k for k in revenue_pool if k in PPV_TYPES]
    picks = fill(max(1, quota.revenue // 2) if quota.revenue else 0, ppv, day_counts, week_counts)
    others = ordered_pool(
        [k for k in revenue_pool if k not in PPV_TYPES], strategy, weekday, week_counts, type_value
    )
    picks += fill(quota.revenue - len(picks), [*others, *ppv], day_counts, week_counts)
    for category, n in ((Category.ENGAGEMENT, quota.engagement), (Category.RETENTION, quota.retention)):
        pool = ordered_pool(standalone_pool(category, page_type), strategy, weekday, week_counts, type_value)
        picks += fill(n, pool, day_counts, week_counts)
    return picks


def distinct_types(days: Sequence[Sequence[str]]) -> set[str]:
    """Distinct types of the week, counting the follow-ups any parent will bring."""
    present = {key for day in days for key in day}
    if present & FOLLOWUP_PARENTS:
        present.add(FOLLOWUP_KEY)
    return present


def _swap_once(
    days: list[list[str]], category: Category, page_type: str, week_counts: Counter[str]
) -> str | None:
    """Replace one use of the category's most-used type by an unused type that fits that day."""
    pool = standalone_pool(category, page_type)
    unused = [k for k in pool if week_counts[k] == 0]
    donors = sorted((k for k in pool if week_counts[k] > 1), key=lambda k: (-week_counts[k], k))
    for donor in donors:
        for newcomer in unused:
            for index, day in enumerate(days):
                if donor in day and fits(newcomer, Counter(day), week_counts):
                    day[day.index(donor)] = newcomer
                    week_counts[donor] -= 1
                    week_counts[newcomer] += 1
                    return f"day {index + 1}: {donor} → {newcomer}"
    return None


def repair_diversity(days: list[list[str]], page_type: str) -> list[str]:
    """The variety-enforcer: swap until every category and the week's total clear the gate + margin."""
    needs = min_distinct_by_category(page_type)
    week_counts: Counter[str] = Counter(k for day in days for k in day)
    repairs: list[str] = []
    while True:
        present = distinct_types(days)
        short = [
            cat for cat in Category if sum(get_send_type(k).category is cat for k in present) < needs[cat]
        ]
        if not short and len(present) >= TARGET_DISTINCT_TOTAL:
            return repairs
        candidates = short or sorted(
            Category, key=lambda c: -sum(week_counts[k] for k in standalone_pool(c, page_type))
        )
        for category in candidates:
            done = _swap_once(days, category, page_type, week_counts)
            if done:
                repairs.append(done)
                break
        else:
            return repairs


def allocate(
    day_quotas: Sequence[DayQuota],
    page_type: str,
    performance: Performance,
    analytics: Mapping[str, Any],
    rng: random.Random,
) -> Allocation:
    by_type = analytics.get("performance_by_send_type") or {}
    type_value = {k: float(v.get("revenue_per_send", 0.0)) for k, v in by_type.items()}
    strategies = choose_strategies(len(day_quotas), performance.saturation, performance.opportunity, rng)
    week_counts: Counter[str] = Counter()
    days = [
        allocate_day(quota, page_type, strategy, week_counts, type_value)
        for quota, strategy in zip(day_quotas, strategies, strict=True)
    ]
    repairs = repair_diversity(days, page_type)
    slots = tuple(
        Slot(day=quota.day, send_type=key, strategy=strategy)
        for quota, strategy, keys in zip(day_quotas, strategies, days, strict=True)
        for key in keys
    )
    return Allocation(
        slots=slots,
        strategies={q.day.isoformat(): s for q, s in zip(day_quotas, strategies, strict=True)},
        repairs=tuple(repairs),
    )
