"""Calendar boosts and daily targets (DOMAIN §2)."""

from __future__ import annotations

from datetime import date

import pytest

from eros.rules.calendar import calendar_boost, day_multiplier, next_monday, thanksgiving, week_dates
from eros.rules.send_types import Category
from eros.rules.tiers import Tier
from eros.rules.volume import daily_capacity, day_targets, week_targets


def test_thanksgiving_and_black_friday_are_holidays() -> None:
    assert thanksgiving(2026) == date(2026, 11, 26)
    assert calendar_boost(date(2026, 11, 26)) == (1.30, "holiday")
    assert calendar_boost(date(2026, 11, 27)) == (1.30, "holiday")
    assert day_multiplier(date(2026, 11, 27)) == pytest.approx(1.43)


def test_holiday_beats_payday_and_they_do_not_stack() -> None:
    assert calendar_boost(date(2026, 1, 1)) == (1.30, "holiday")
    assert calendar_boost(date(2026, 1, 15)) == (1.20, "payday")
    assert calendar_boost(date(2026, 2, 28)) == (1.20, "payday")
    assert calendar_boost(date(2026, 1, 14)) == (1.0, None)


def test_week_dates_and_next_monday() -> None:
    assert next_monday(date(2026, 1, 4)) == date(2026, 1, 5)
    assert next_monday(date(2026, 1, 5)) == date(2026, 1, 12)
    assert week_dates(date(2026, 1, 5))[-1] == date(2026, 1, 11)


def test_standard_week_rounds_half_up() -> None:
    """DOMAIN §2 decision: round half up, so retention's midpoint 2.5 becomes 3 (docs/DECISIONS.md)."""
    week = week_targets(date(2026, 1, 5), Tier.STANDARD, "paid")
    tuesday, saturday = week[1], week[5]
    assert (tuesday.revenue, tuesday.engagement, tuesday.retention) == (5, 5, 3)
    assert (saturday.revenue, saturday.engagement, saturday.retention) == (6, 6, 3)


def test_targets_are_clamped_to_the_tier_range() -> None:
    boosted = day_targets(date(2026, 11, 27), Tier.STANDARD, "paid", trigger_multiplier=2.5)
    assert (boosted.revenue, boosted.engagement, boosted.retention) == (6, 6, 3)
    cut = day_targets(date(2026, 1, 6), Tier.STANDARD, "paid", trigger_multiplier=0.1, health_adjustment=-1)
    assert (cut.revenue, cut.engagement, cut.retention) == (4, 4, 2)


def test_health_adjustment_never_touches_retention() -> None:
    plain = day_targets(date(2026, 1, 6), Tier.HIGH_VALUE, "paid")
    healthy = day_targets(date(2026, 1, 6), Tier.HIGH_VALUE, "paid", health_adjustment=1)
    assert healthy.revenue == plain.revenue + 1
    assert healthy.retention == plain.retention


def test_free_page_retention_is_capped_by_what_free_types_can_deliver() -> None:
    assert daily_capacity(Category.RETENTION, "free") == 5
    premium_free = day_targets(date(2026, 1, 6), Tier.PREMIUM, "free")
    assert premium_free.retention <= daily_capacity(Category.RETENTION, "free")
