"""Content-type rankings and trigger signals (eros.rules.rankings)."""

from __future__ import annotations

import pytest

from eros.rules.rankings import (
    MIN_SENDS_TO_AVOID,
    RankTier,
    SendRecord,
    baseline_revenue_per_send,
    classify,
    content_stats,
    conversion_declining_days,
    rank_content_types,
    trigger_signals,
)
from eros.rules.rankings import ContentStats as CS
from eros.rules.triggers import TriggerType, detect


def _stats(name: str, sends: int, rps: float, viewed: int = 1000, purchased: int = 30) -> CS:
    return CS(name, sends=sends, earnings=sends * rps, viewed=viewed, purchased=purchased)


@pytest.mark.parametrize(
    ("sends", "rps", "tier"),
    [
        (10, 125.0, RankTier.TOP),  # exactly 1.25 × baseline
        (10, 124.99, RankTier.MID),
        (10, 80.0, RankTier.MID),  # exactly 0.80
        (10, 79.99, RankTier.LOW),
        (10, 50.0, RankTier.LOW),  # exactly 0.50 is not below it
        (10, 49.99, RankTier.AVOID),
        (MIN_SENDS_TO_AVOID - 1, 10.0, RankTier.LOW),  # too little evidence for a ban
        (2, 500.0, RankTier.MID),  # too few sends to rank at all
    ],
)
def test_classify_against_the_baseline(sends: int, rps: float, tier: RankTier) -> None:
    assert classify(_stats("x", sends, rps), baseline=100.0) is tier


def test_no_baseline_means_mid() -> None:
    assert classify(_stats("x", 10, 50.0), baseline=0.0) is RankTier.MID


def test_baseline_pools_only_rankable_types() -> None:
    stats = [_stats("a", 10, 100.0), _stats("b", 10, 50.0), _stats("c", 1, 10_000.0)]
    assert baseline_revenue_per_send(stats) == pytest.approx(75.0)
    assert baseline_revenue_per_send([]) == 0.0


def test_rank_content_types_orders_by_revenue_per_send_and_reports_metrics() -> None:
    stats = [
        CS("lingerie", sends=10, earnings=2000.0, viewed=1000, purchased=70, sends_30d=4),
        CS("feet", sends=10, earnings=1000.0, viewed=1000, purchased=30, sends_30d=3),
        CS("solo", sends=10, earnings=200.0, viewed=1000, purchased=5, sends_30d=2),
        CS("gfe", sends=0, earnings=0.0, viewed=0, purchased=0),
    ]
    ranked = rank_content_types(stats)
    assert [r.content_type for r in ranked] == ["lingerie", "feet", "solo"]
    assert [r.tier for r in ranked] == [RankTier.TOP, RankTier.MID, RankTier.AVOID]
    top = ranked[0]
    assert top.revenue_per_send == 200.0
    assert top.conversion == 0.07
    assert top.sends_30d == 4
    assert top.confidence == 0.5


def test_ties_are_broken_by_name_so_the_order_is_stable() -> None:
    ranked = rank_content_types([_stats("b", 5, 10.0), _stats("a", 5, 10.0)])
    assert [r.content_type for r in ranked] == ["a", "b"]


def _rec(
    day: int, viewed: int = 100, purchased: int = 5, earnings: float = 50.0, sent: int = 200
) -> SendRecord:
    return SendRecord(day_index=day, sent=sent, viewed=viewed, purchased=purchased, earnings=earnings)


def test_content_stats_uses_the_90_day_window_and_counts_30_days() -> None:
    stats = content_stats("x", [_rec(1), _rec(31), _rec(90), _rec(91)])
    assert stats.sends == 3
    assert stats.sends_30d == 1
    assert stats.earnings == 150.0


def test_conversion_declining_days_counts_back_from_the_newest_day() -> None:
    # newest (day 1) 2 %, day 2 3 %, day 3 4 %, day 4 5 %, day 5 1 %: three falls, then a rise.
    records = [_rec(d, purchased=p) for d, p in [(1, 2), (2, 3), (3, 4), (4, 5), (5, 1)]]
    assert conversion_declining_days(records) == 3
    assert conversion_declining_days([_rec(1, purchased=5), _rec(2, purchased=4)]) == 0


def test_signals_need_two_sends_a_week_for_a_trend() -> None:
    one_each = trigger_signals("x", [_rec(2, earnings=100.0), _rec(9, earnings=10.0)])
    assert one_each is not None
    assert one_each.revenue_wow_change is None
    two_each = trigger_signals(
        "x", [_rec(2, earnings=60.0), _rec(3, earnings=60.0), _rec(9, earnings=50.0), _rec(10, earnings=50.0)]
    )
    assert two_each is not None
    assert two_each.revenue_wow_change == pytest.approx(0.2)
    assert two_each.open_rate_change_7d == pytest.approx(0.0)
    assert trigger_signals("x", [_rec(40)]) is None


def test_signals_feed_detection_in_rulebook_order() -> None:
    strong = trigger_signals("lingerie", [_rec(d, viewed=100, purchased=7) for d in (1, 5, 9, 13)])
    assert strong is not None
    assert strong.conversion == pytest.approx(0.07)
    found = detect(strong)
    assert found is not None
    assert found.trigger_type is TriggerType.HIGH_PERFORMER
    assert found.confidence == "low"
    rare = trigger_signals("feet", [_rec(4, viewed=100, purchased=5)])
    assert rare is not None
    emerging = detect(rare)
    assert emerging is not None
    assert emerging.trigger_type is TriggerType.EMERGING_WINNER
