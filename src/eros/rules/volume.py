"""Daily targets per category (DOMAIN §2 "Daily targets")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eros.rules.calendar import calendar_boost, week_dates, weekend_boost
from eros.rules.rounding import clamp, round_int
from eros.rules.send_types import Category, PageType, send_types_for_page
from eros.rules.tiers import Tier, smoothed_midpoints, tier_spec
from eros.rules.triggers import MULTIPLIER_MAX, MULTIPLIER_MIN


@dataclass(frozen=True, slots=True)
class DayTargets:
    day: date
    calendar_boost: float
    calendar_reason: str | None
    weekend_boost: float
    revenue: int
    engagement: int
    retention: int

    @property
    def day_multiplier(self) -> float:
        return self.calendar_boost * self.weekend_boost

    def target(self, category: Category) -> int:
        return {
            Category.REVENUE: self.revenue,
            Category.ENGAGEMENT: self.engagement,
            Category.RETENTION: self.retention,
        }[category]

    @property
    def total(self) -> int:
        return self.revenue + self.engagement + self.retention


def daily_capacity(category: Category, page_type: PageType | str) -> int:
    """What the send types of a category can physically deliver in one day (§1 caps)."""
    return sum(
        min(st.max_per_day, st.max_per_week or st.max_per_day)
        for st in send_types_for_page(page_type)
        if st.category is category
    )


def day_targets(
    day: date,
    tier: Tier | str,
    page_type: PageType | str,
    trigger_multiplier: float = 1.0,
    health_adjustment: int = 0,
    mm_revenue: float | None = None,
) -> DayTargets:
    """round_half_up(midpoint × trigger × day + health), clamped to the tier range, then to capacity.

    `mm_revenue`, when given, applies tier smoothing to the midpoints; retention takes no health adjustment.
    """
    spec = tier_spec(tier)
    mids = (
        smoothed_midpoints(tier, mm_revenue)
        if mm_revenue is not None
        else {cat: spec.midpoint(cat) for cat in Category}
    )
    trig = clamp(trigger_multiplier, MULTIPLIER_MIN, MULTIPLIER_MAX)
    cal, reason = calendar_boost(day)
    wknd = weekend_boost(day)
    counts: dict[Category, int] = {}
    for cat in Category:
        adjust = 0 if cat is Category.RETENTION else health_adjustment
        raw = round_int(mids[cat] * trig * cal * wknd + adjust)
        low, high = spec.ranges[cat]
        counts[cat] = int(min(clamp(raw, low, high), daily_capacity(cat, page_type)))
    return DayTargets(
        day,
        cal,
        reason,
        wknd,
        counts[Category.REVENUE],
        counts[Category.ENGAGEMENT],
        counts[Category.RETENTION],
    )


def week_targets(
    week_start: date,
    tier: Tier | str,
    page_type: PageType | str,
    trigger_multiplier: float = 1.0,
    health_adjustment: int = 0,
    mm_revenue: float | None = None,
) -> list[DayTargets]:
    return [
        day_targets(d, tier, page_type, trigger_multiplier, health_adjustment, mm_revenue)
        for d in week_dates(week_start)
    ]
