"""Phases 6–8: seeded jitter and spacing, follow-up placement, assembly links."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from eros.legacy import p06_timing, p07_followups, p08_assembly
from eros.legacy.state import Followup, FollowupPlan, Slot, TimedPlan
from eros.rules.send_types import get_send_type
from eros.rules.timing import MIN_SPACING_MINUTES, in_dead_zone, on_quarter_hour

WEEK = date(2026, 1, 5)
WEEK_END = WEEK + timedelta(days=6)


def week_slots() -> list[Slot]:
    kinds = (
        ["ppv_unlock"] * 3 + ["bump_normal"] * 3 + ["link_drop", "renew_on_post"] * 2 + ["renew_on_message"]
    )
    return [Slot(day=WEEK + timedelta(days=d), send_type=k) for d in range(7) for k in kinds]


def test_every_placed_send_keeps_the_hard_timing_rules() -> None:
    plan = p06_timing.optimise(week_slots(), WEEK, {}, "America/New_York", random.Random(7))
    assert len(plan.slots) == 7 * 11
    assert not plan.dropped
    moments = sorted(s.moment for s in plan.slots)
    assert all((b - a).total_seconds() / 60 >= MIN_SPACING_MINUTES for a, b in pairwise(moments))
    for slot in plan.slots:
        assert slot.time is not None and not on_quarter_hour(slot.time) and not in_dead_zone(slot.time)
    for key in {s.send_type for s in plan.slots}:
        same = sorted(s.moment for s in plan.slots if s.send_type == key)
        gap = get_send_type(key).gap_minutes
        assert all((b - a).total_seconds() / 60 >= gap for a, b in pairwise(same)), key


def test_jitter_is_seeded() -> None:
    one = p06_timing.optimise(week_slots(), WEEK, {}, "America/New_York", random.Random(7))
    same = p06_timing.optimise(week_slots(), WEEK, {}, "America/New_York", random.Random(7))
    other = p06_timing.optimise(week_slots(), WEEK, {}, "America/New_York", random.Random(8))
    assert one == same
    assert [s.time for s in one.slots] != [s.time for s in other.slots]


def test_revenue_prefers_prime_time_and_strong_history_hours() -> None:
    monday = WEEK
    prime, dull = time(20, 7), time(9, 7)
    assert p06_timing.slot_score("ppv_unlock", monday, prime, {}, "America/New_York") > p06_timing.slot_score(
        "ppv_unlock", monday, dull, {}, "America/New_York"
    )
    strong = {9: 1.0}
    assert p06_timing.slot_score("bump_normal", monday, dull, strong, "America/New_York") == (
        p06_timing.slot_score("bump_normal", monday, dull, {}, "America/New_York") + 20.0
    )
    strength = p06_timing.hour_strength(
        {"performance_by_hour": {"9": {"revenue_per_send": 5.0}, "20": {"revenue_per_send": 10.0}}}
    )
    assert strength == {9: 0.5, 20: 1.0}


def test_a_day_too_full_drops_sends_instead_of_breaking_rules() -> None:
    crowded = [Slot(day=WEEK, send_type="bump_normal")] * 30
    plan = p06_timing.optimise(crowded, WEEK, {}, "America/New_York", random.Random(1))
    assert plan.dropped and len(plan.slots) + len(plan.dropped) == 30
    moments = sorted(s.moment for s in plan.slots)
    assert all((b - a).total_seconds() >= 3600 for a, b in pairwise(moments))  # bump_normal's 1 h gap


def parent(day: date, at: time, send_type: str = "ppv_unlock", content: str | None = "solo") -> Slot:
    return Slot(day=day, send_type=send_type, content_type=content, time=at)


def test_budget_is_eighty_percent_capped_at_five() -> None:
    assert [p07_followups.budget(n) for n in (1, 2, 4, 5, 8)] == [1, 2, 3, 4, 5]


def test_followups_land_15_to_45_minutes_later_off_the_quarter_hour() -> None:
    timed = TimedPlan(slots=tuple(parent(WEEK, time(h, 7)) for h in (10, 13, 16, 19, 21)))
    plan = p07_followups.plan(timed, {"solo": 1.0}, (), WEEK_END, random.Random(2))
    assert len(plan.followups) == 4
    for f in plan.followups:
        moment = datetime.combine(f.day, f.time)
        assert (moment - timed.slots[f.parent].moment).total_seconds() / 60 == f.delay_minutes
        assert 15 <= f.delay_minutes <= 45 and not on_quarter_hour(f.time)
    moments = sorted(datetime.combine(f.day, f.time) for f in plan.followups)
    assert all((b - a).total_seconds() >= 3600 for a, b in pairwise(moments))


def test_late_parents_move_to_eight_next_morning_or_drop_at_week_end() -> None:
    late = parent(WEEK, time(23, 22))
    assert p07_followups.place(late, 20, {}, WEEK_END) == (
        datetime.combine(WEEK + timedelta(days=1), time(8, 0)),
        20,
    )
    assert p07_followups.place(parent(WEEK_END, time(23, 22)), 20, {}, WEEK_END) is None
    busy = {WEEK + timedelta(days=1): [datetime.combine(WEEK + timedelta(days=1), time(8, 40))]}
    assert p07_followups.place(late, 20, busy, WEEK_END) is None


def test_assembly_sorts_and_links_followups_to_their_parent_index() -> None:
    timed = TimedPlan(slots=(parent(WEEK, time(20, 7)), parent(WEEK, time(9, 7), "tip_goal", None)))
    followups = FollowupPlan(followups=(Followup(parent=0, day=WEEK, time=time(20, 38), delay_minutes=31),))
    assembled = p08_assembly.assemble(timed, followups)
    keys = [(i.scheduled_time, i.send_type_key) for i in assembled.items]
    assert keys == [("09:07", "tip_goal"), ("20:07", "ppv_unlock"), ("20:38", "ppv_followup")]
    follow = assembled.items[2]
    assert follow.parent_item_index == 1 and follow.is_follow_up and follow.delay_minutes == 31
    assert follow.channel_key == "targeted_message" and follow.target_key == "ppv_non_purchasers"
    assert assembled.items[1].flyer_required == 1 and assembled.items[0].flyer_required == 0
    assert "3 sends have no caption and need one written" in assembled.warnings
