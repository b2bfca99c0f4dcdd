"""Timing (DOMAIN §4), follow-ups (§5), pricing (§6) and caption structure (§12)."""

from __future__ import annotations

import random
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from eros.rules.captions import is_fresh, score_structure
from eros.rules.followups import delay_is_valid, draw_delay, followup_target
from eros.rules.pricing import PriceInputs, adjustments, price, typical_range
from eros.rules.timing import (
    apply_jitter,
    in_dead_zone,
    is_prime,
    move_out_of_dead_zone,
    on_quarter_hour,
    parse_date,
    parse_time,
)

NY = ZoneInfo("America/New_York")


def test_dead_zone_is_three_to_seven() -> None:
    assert in_dead_zone(time(3, 0))
    assert in_dead_zone(time(6, 59))
    assert not in_dead_zone(time(7, 0))
    assert not in_dead_zone(time(2, 59))


def test_dead_zone_moves_early_sends_to_the_evening_before_and_late_ones_to_seven() -> None:
    early = move_out_of_dead_zone(datetime(2026, 1, 6, 4, 10, tzinfo=NY))
    assert early == datetime(2026, 1, 5, 23, 0, tzinfo=NY)
    late = move_out_of_dead_zone(datetime(2026, 1, 6, 6, 10, tzinfo=NY))
    assert late == datetime(2026, 1, 6, 7, 0, tzinfo=NY)


def test_jitter_never_lands_on_a_quarter_hour() -> None:
    base = datetime(2026, 1, 6, 20, 0, tzinfo=NY)
    for offset in range(-7, 9):
        assert not on_quarter_hour(apply_jitter(base, offset).time())


def test_prime_hours_in_new_york_and_across_midnight() -> None:
    assert is_prime(date(2026, 1, 5), time(12, 30))
    assert not is_prime(date(2026, 1, 5), time(15, 0))
    assert is_prime(date(2026, 1, 11), time(0, 30))
    assert is_prime(date(2026, 1, 5), time(9, 30), "America/Los_Angeles")


def test_strict_date_and_time_parsing() -> None:
    assert parse_time("09:05") == time(9, 5)
    for bad in ("9:05", "24:00", "12:60", "ab:cd"):
        with pytest.raises(ValueError, match="time"):
            parse_time(bad)
    assert parse_date("2026-01-05") == date(2026, 1, 5)
    for bad in ("2026-1-5", "2026-02-30", "05/01/2026"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_followup_delays_stay_in_window_and_are_seeded() -> None:
    delays = [draw_delay(random.Random(seed)) for seed in range(200)]
    assert all(delay_is_valid(d) for d in delays)
    assert delays == [draw_delay(random.Random(seed)) for seed in range(200)]
    assert not delay_is_valid(14)
    assert not delay_is_valid(46)
    assert followup_target("tip_goal") == "non_tippers"
    assert followup_target("ppv_unlock") == "ppv_non_purchasers"


def test_price_adjustments_add_up_before_multiplying() -> None:
    inputs = PriceInputs(
        base=20.0,
        day=date(2026, 1, 9),
        send_time=time(20, 5),
        days_since_content_used=30,
        top_tier_content=True,
        fan_count=5000,
    )
    assert adjustments(inputs) == {"weekend_evening": 0.15, "scarcity": 0.20, "performance": 0.15}
    assert price(inputs) == 30.0


def test_price_is_clamped_and_small_pages_keep_the_base() -> None:
    assert price(PriceInputs(base=48.0, day=date(2026, 1, 9), send_time=time(20, 5), fan_count=5000)) == 50.0
    assert price(PriceInputs(base=3.0, day=date(2026, 1, 6), send_time=time(13, 0), fan_count=5000)) == 5.0
    small = PriceInputs(base=20.0, day=date(2026, 1, 9), send_time=time(20, 5), fan_count=200)
    assert price(small) == 20.0


def test_caption_freshness_and_structure() -> None:
    assert is_fresh(None)
    assert is_fresh(90)
    assert not is_fresh(89)
    text = "A slow evening, and something new I made just for you tonight. " * 2
    good = score_structure(text, "ppv_unlock")
    assert good.score >= 85
    assert good.recommendation == "PASS"
    spammy = score_structure("CLICK HERE BUY NOW HURRY HURRY", "bump_normal")
    assert spammy.score < 70
    assert not spammy.valid


def test_typical_range_falls_back_to_the_hard_bounds() -> None:
    assert typical_range("ppv_unlock") == (8.0, 25.0)
    assert typical_range("vip_program") == (5.0, 50.0)
