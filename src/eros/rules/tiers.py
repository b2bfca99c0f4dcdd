"""Volume tiers: monthly MM revenue → tier, with hysteresis and smoothing (DOMAIN §2)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import StrEnum

from eros.rules.send_types import Category


class Tier(StrEnum):
    MINIMAL = "MINIMAL"
    LITE = "LITE"
    STANDARD = "STANDARD"
    HIGH_VALUE = "HIGH_VALUE"
    PREMIUM = "PREMIUM"


@dataclass(frozen=True, slots=True)
class TierSpec:
    tier: Tier
    floor: float
    ranges: dict[Category, tuple[int, int]]
    weekly_total: tuple[int, int]

    def midpoint(self, category: Category) -> float:
        low, high = self.ranges[category]
        return (low + high) / 2


def _spec(
    tier: Tier,
    floor: float,
    rev: tuple[int, int],
    eng: tuple[int, int],
    ret: tuple[int, int],
    week: tuple[int, int],
) -> TierSpec:
    ranges = {Category.REVENUE: rev, Category.ENGAGEMENT: eng, Category.RETENTION: ret}
    return TierSpec(tier, floor, ranges, week)


#: Ordered low → high; a tier holds revenue from its floor up to the next floor.
TIER_SPECS: tuple[TierSpec, ...] = (
    _spec(Tier.MINIMAL, 0.0, (1, 2), (1, 2), (1, 1), (21, 35)),
    _spec(Tier.LITE, 150.0, (2, 4), (2, 4), (1, 2), (35, 70)),
    _spec(Tier.STANDARD, 800.0, (4, 6), (4, 6), (2, 3), (70, 105)),
    _spec(Tier.HIGH_VALUE, 3000.0, (6, 9), (5, 8), (2, 4), (91, 147)),
    _spec(Tier.PREMIUM, 8000.0, (8, 12), (6, 10), (3, 5), (119, 189)),
)
TIER_ORDER: tuple[Tier, ...] = tuple(spec.tier for spec in TIER_SPECS)
SPEC_BY_TIER: dict[Tier, TierSpec] = {spec.tier: spec for spec in TIER_SPECS}

#: A creator only drops from its previous tier below this share of that tier's floor.
HYSTERESIS_KEEP_SHARE = 0.85
#: Smoothing zones reach this share either side of every tier floor ($135–165, $720–880, ...).
SMOOTHING_ZONE = 0.10
#: Fallback MM revenue per fan when there is neither history nor a metrics snapshot.
REVENUE_PER_FAN_ESTIMATE = 2.50


def tier_spec(tier: Tier | str) -> TierSpec:
    return SPEC_BY_TIER[Tier(tier)]


def tier_for_revenue(mm_revenue: float, previous: Tier | str | None = None) -> Tier:
    """The tier for a month's MM revenue; a higher previous tier is kept down to 85 % of its floor."""
    revenue = max(0.0, mm_revenue)
    computed = TIER_ORDER[0]
    for spec in TIER_SPECS:
        if revenue >= spec.floor:
            computed = spec.tier
    if previous is None:
        return computed
    prev = Tier(previous)
    if (
        TIER_ORDER.index(prev) > TIER_ORDER.index(computed)
        and revenue >= SPEC_BY_TIER[prev].floor * HYSTERESIS_KEEP_SHARE
    ):
        return prev
    return computed


def smoothed_midpoints(tier: Tier | str, mm_revenue: float) -> dict[Category, float]:
    """Category midpoints, interpolated on a log scale inside the ±10 % zone around a tier floor."""
    spec = tier_spec(tier)
    mids = {cat: spec.midpoint(cat) for cat in Category}
    for lower, upper in itertools.pairwise(TIER_SPECS):
        zone_low = upper.floor * (1 - SMOOTHING_ZONE)
        zone_high = upper.floor * (1 + SMOOTHING_ZONE)
        if zone_low <= mm_revenue <= zone_high:
            weight = math.log(mm_revenue / zone_low) / math.log(zone_high / zone_low)
            return {
                cat: lower.midpoint(cat) + weight * (upper.midpoint(cat) - lower.midpoint(cat))
                for cat in Category
            }
    return mids


class RevenueSource(StrEnum):
    HISTORY = "mass_messages_30d"
    METRICS = "creator_metrics"
    FAN_ESTIMATE = "fan_count_estimate"


@dataclass(frozen=True, slots=True)
class MMRevenue:
    """Monthly mass-message revenue with where it came from and how far to trust it."""

    amount: float
    source: RevenueSource
    confidence: str


#: History counts only with at least this many sends, the newest at most this many days old.
#: MM revenue sums the sends of this many days (DOMAIN §2, "last 30 days by sent_date").
MM_WINDOW_DAYS = 30
MM_MIN_SENDS = 3
MM_MAX_AGE_DAYS = 7


def mm_revenue(
    history_earnings_30d: float,
    history_sends_30d: int,
    newest_send_age_days: int | None,
    metrics_message_net: float | None,
    metrics_posts_net: float | None,
    fan_count: int | None,
) -> MMRevenue:
    """The one definition of MM revenue (DOMAIN §2 decision): history, else snapshot, else fans × $2.50."""
    if (
        history_sends_30d >= MM_MIN_SENDS
        and newest_send_age_days is not None
        and newest_send_age_days <= MM_MAX_AGE_DAYS
    ):
        return MMRevenue(round(history_earnings_30d, 2), RevenueSource.HISTORY, "high")
    snapshot = (metrics_message_net or 0.0) + (metrics_posts_net or 0.0)
    if snapshot > 0:
        return MMRevenue(round(snapshot, 2), RevenueSource.METRICS, "medium")
    return MMRevenue(round((fan_count or 0) * REVENUE_PER_FAN_ESTIMATE, 2), RevenueSource.FAN_ESTIMATE, "low")
