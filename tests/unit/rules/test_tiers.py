"""Tiers, hysteresis, smoothing and the one MM-revenue definition (DOMAIN §2)."""

from __future__ import annotations

import pytest

from eros.rules.send_types import Category
from eros.rules.tiers import RevenueSource, Tier, mm_revenue, smoothed_midpoints, tier_for_revenue


@pytest.mark.parametrize(
    ("revenue", "previous", "expected"),
    [
        (149.99, None, Tier.MINIMAL),
        (150.0, None, Tier.LITE),
        (800.0, None, Tier.STANDARD),
        (3000.0, None, Tier.HIGH_VALUE),
        (8000.0, None, Tier.PREMIUM),
        (680.0, Tier.STANDARD, Tier.STANDARD),
        (679.99, Tier.STANDARD, Tier.LITE),
        (680.0, None, Tier.LITE),
        (900.0, Tier.LITE, Tier.STANDARD),
        (-5.0, None, Tier.MINIMAL),
    ],
)
def test_tier_for_revenue_with_hysteresis(revenue: float, previous: Tier | None, expected: Tier) -> None:
    assert tier_for_revenue(revenue, previous) is expected


def test_smoothing_interpolates_only_inside_the_zone() -> None:
    outside = smoothed_midpoints(Tier.STANDARD, 1500.0)
    assert outside[Category.REVENUE] == 5.0
    at_floor_zone_start = smoothed_midpoints(Tier.LITE, 720.0)
    assert at_floor_zone_start[Category.REVENUE] == pytest.approx(3.0)
    at_zone_end = smoothed_midpoints(Tier.STANDARD, 880.0)
    assert at_zone_end[Category.REVENUE] == pytest.approx(5.0)
    middle = smoothed_midpoints(Tier.STANDARD, 800.0)[Category.REVENUE]
    assert 3.0 < middle < 5.0


def test_mm_revenue_prefers_recent_history_then_snapshot_then_fans() -> None:
    history = mm_revenue(1234.567, 10, 2, 999.0, 1.0, 500)
    assert (history.amount, history.source, history.confidence) == (1234.57, RevenueSource.HISTORY, "high")
    stale = mm_revenue(1234.0, 10, 8, 900.0, 100.0, 500)
    assert (stale.amount, stale.source) == (1000.0, RevenueSource.METRICS)
    few_sends = mm_revenue(50.0, 2, 1, None, None, 400)
    assert (few_sends.amount, few_sends.source, few_sends.confidence) == (
        1000.0,
        RevenueSource.FAN_ESTIMATE,
        "low",
    )
