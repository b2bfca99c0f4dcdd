"""The pure history summaries behind the analytics contract (eros.tools.history)."""

from __future__ import annotations

from datetime import date, timedelta

from eros.db.analyze import Send
from eros.tools.history import analytics, creator_mm_revenue, fatigue_by_gap, sends_in_last, weekly_earnings

TODAY = date(2026, 1, 4)


def send(
    days_ago: int, earnings: float, content: str | None = "solo", hour: int = 12, price: float | None = 15.0
) -> Send:
    day = TODAY - timedelta(days=days_ago)
    return Send(f"{day}T17:07:00Z", day, hour, "ppv_unlock", content, price, 100, 40, 4, earnings)


def test_weekly_earnings_are_full_weeks_before_today_oldest_first() -> None:
    sends = [send(1, 10.0), send(7, 5.0), send(8, 100.0), send(0, 1000.0)]
    weeks = weekly_earnings(sends, TODAY)
    assert len(weeks) == 12
    assert weeks[-1] == 15.0  # yesterday and 7 days ago; today's send is not a full week yet
    assert weeks[-2] == 100.0


def test_sends_in_last_counts_from_the_window_start() -> None:
    sends = [send(30, 1.0), send(31, 1.0), send(0, 1.0)]
    assert len(sends_in_last(sends, TODAY, 30)) == 2


def test_fatigue_compares_a_repeat_after_n_days_with_the_type_mean() -> None:
    # solo: 100 then 50 one day later (mean 75) → gap 1 ratio 50/75; no data for other gaps.
    fatigue = fatigue_by_gap([send(5, 100.0), send(4, 50.0)])
    assert fatigue["1"] == round(50 / 75, 4)
    assert fatigue["3"] == 1.0 and set(fatigue) == {str(d) for d in range(1, 8)}


def test_analytics_rates_are_fractions_and_keys_are_strings() -> None:
    result = analytics([send(3, 60.0, hour=20), send(10, 20.0, content=None, price=None)], TODAY, {})
    assert result["conversion_rate"] == 0.04 and result["open_rate"] == 0.4
    assert result["avg_revenue_per_purchase"] == 10.0
    assert result["performance_by_hour"]["20"] == {"sends": 1, "revenue_per_send": 60.0}
    assert result["performance_by_content_type"] == {
        "solo": {"sends": 1, "revenue_per_send": 60.0, "conversion": 0.04}
    }
    assert [p["price"] for p in result["price_points"]] == [15.0]
    assert result["mm_revenue_source"] == "fan_count_estimate"  # fewer than 3 sends in 30 days, no snapshot


def test_mm_revenue_sums_the_last_30_days_when_history_is_recent_enough() -> None:
    sends = [send(31, 1000.0), send(30, 100.0), send(3, 20.0), send(1, 5.0)]
    mm = creator_mm_revenue(sends, TODAY, {})
    assert (mm.amount, mm.source.value) == (125.0, "mass_messages_30d")
