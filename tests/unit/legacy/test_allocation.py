"""Phase 4: quotas, strategies, round-robin fill within caps, diversity repair."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date, timedelta

from eros.legacy import p04_allocation
from eros.legacy.constants import TARGET_DISTINCT_TOTAL
from eros.legacy.state import DayQuota, Performance
from eros.rules.send_types import PPV_TYPES, get_send_type

WEEK = date(2026, 1, 5)
NEUTRAL = Performance(50.0, 50.0, 1.0, False, {}, (), {})


def volume(revenue: int, engagement: int, retention: int) -> dict[str, object]:
    days = [
        {
            "date": (WEEK + timedelta(days=i)).isoformat(),
            "revenue": revenue,
            "engagement": engagement,
            "retention": retention,
        }
        for i in reversed(range(7))
    ]
    return {"days": days}


def test_quotas_follow_the_volume_config_and_free_pages_get_no_standalone_retention() -> None:
    paid = p04_allocation.quotas(volume(5, 5, 2), "paid", extra_retention=1)
    free = p04_allocation.quotas(volume(5, 5, 2), "free", extra_retention=1)
    assert [q.day for q in paid] == [WEEK + timedelta(days=i) for i in range(7)]
    assert paid[0] == DayQuota(WEEK, 5, 5, 3)
    assert all(q.retention == 0 for q in free)


def test_strategies_never_repeat_on_consecutive_days_and_are_seeded() -> None:
    first = p04_allocation.choose_strategies(7, 80.0, 20.0, random.Random(1))
    again = p04_allocation.choose_strategies(7, 80.0, 20.0, random.Random(1))
    assert first == again
    assert all(a != b for a, b in itertools.pairwise(first))


def test_fill_respects_daily_and_weekly_caps() -> None:
    week: Counter[str] = Counter({"vip_program": 1})
    picks = p04_allocation.fill(6, ["vip_program", "bundle", "ppv_unlock"], Counter(), week)
    assert "vip_program" not in picks  # 1 per week, already used
    assert picks.count("bundle") == 1 and picks.count("ppv_unlock") == 4
    assert len(picks) == 5  # nothing else fits


def test_half_the_revenue_slots_are_ppv() -> None:
    keys = p04_allocation.allocate_day(DayQuota(WEEK, 6, 0, 0), "paid", "balanced_standard", Counter(), {})
    assert sum(k in PPV_TYPES for k in keys) == 3
    assert len(keys) == 6 and len(set(keys)) == 4


def test_a_minimal_week_is_repaired_to_clear_the_diversity_gate() -> None:
    quotas = p04_allocation.quotas(volume(1, 1, 1), "paid", 0)
    allocation = p04_allocation.allocate(quotas, "paid", NEUTRAL, {}, random.Random(3))
    types = {s.send_type for s in allocation.slots} | {"ppv_followup"}
    by_category = Counter(get_send_type(k).category.value for k in types)
    assert len(allocation.slots) == 21
    assert by_category["revenue"] >= 4 and by_category["engagement"] >= 4 and by_category["retention"] >= 2
    assert len(types) >= TARGET_DISTINCT_TOTAL - 1
    assert allocation.repairs  # 1 revenue a day would otherwise be all ppv_unlock
    assert set(allocation.strategies) == {(WEEK + timedelta(days=i)).isoformat() for i in range(7)}


def test_page_rules_hold_in_every_allocation() -> None:
    for page in ("paid", "free"):
        quotas = p04_allocation.quotas(volume(8, 7, 3), page, 0)
        allocation = p04_allocation.allocate(quotas, page, NEUTRAL, {}, random.Random(5))
        per_day = Counter((s.day, s.send_type) for s in allocation.slots)
        per_week = Counter(s.send_type for s in allocation.slots)
        assert all(get_send_type(k).allowed_on(page) for k in per_week)
        assert all(n <= get_send_type(k).max_per_day for (_, k), n in per_day.items())
        assert per_week["vip_program"] <= 1 and per_week["snapchat_bundle"] <= 1
        assert "ppv_followup" not in per_week
