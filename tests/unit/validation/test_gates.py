"""Every hard gate of DOMAIN §3: a valid week passes, and each break is caught with exactly its code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from eros.models import CaptionOption, CreatorContext, ScheduleItem, Violation
from eros.rules.send_types import SEND_TYPES
from eros.validation import gates as g

FAST = settings(max_examples=25, deadline=None)


def codes(violations: list[Violation]) -> set[str]:
    return {v.code for v in violations}


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def _draw_index(
    data: st.DataObject, items: list[ScheduleItem], which: Callable[[ScheduleItem], object]
) -> int:
    """Hypothesis picks the position of one item `which` accepts."""
    return data.draw(st.sampled_from([i for i, it in enumerate(items) if which(it)]))


def _shift(item: ScheduleItem, minutes: int) -> str:
    moment = datetime.fromisoformat(f"{item.scheduled_date}T{item.scheduled_time}") + timedelta(
        minutes=minutes
    )
    return f"{moment:%H:%M}"


def _plain_indices(items: list[ScheduleItem]) -> list[int]:
    """Items that are neither follow-ups nor parents, so moving them disturbs no follow-up."""
    parents = {it.parent_item_index for it in items}
    return [i for i, it in enumerate(items) if it.send_type_key != "ppv_followup" and i not in parents]


# --- the valid week -------------------------------------------------------------------------------


def test_valid_paid_week_passes_every_gate(week):
    assert g.evaluate_gates(week.items("paid"), week.facts("paid")) == []


def test_valid_free_week_passes_every_gate(week):
    assert g.evaluate_gates(week.items("free"), week.facts("free")) == []


def test_gate_codes_are_reported_in_rulebook_order(week):
    items = week.items()
    items = week.replace(items, 0, price=99.0, content_type="unknown_stuff")  # tip_goal: no content needed
    items = week.replace(items, 4, scheduled_time="14:15")
    found = [v.code for v in g.evaluate_gates(items, week.facts())]
    assert found == [g.VAULT_VIOLATION, g.PRICE_OUT_OF_BOUNDS, g.TIMING_COLLISION]


# --- VAULT_VIOLATION ------------------------------------------------------------------------------


def test_content_outside_the_vault_is_a_vault_violation(week):
    items = week.replace(week.items(), 2, content_type="anal")
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.VAULT_VIOLATION}
    assert found[0].items == [2] and "anal" in found[0].message


def test_media_type_without_content_is_a_vault_violation(week):
    items = week.replace(week.items(), 2, content_type=None)
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.VAULT_VIOLATION} and rules(found) == {"media_missing"}


# --- AVOID_TIER_VIOLATION -------------------------------------------------------------------------


def test_avoid_content_is_an_avoid_violation(week):
    items = week.replace(week.items(), 2, content_type="feet")
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.AVOID_TIER_VIOLATION} and found[0].items == [2]


# --- PAGE_TYPE_VIOLATION --------------------------------------------------------------------------


def test_tip_goal_on_a_free_page_is_a_page_type_violation(week):
    items = week.items("free")
    items.append(
        ScheduleItem(send_type_key="tip_goal", scheduled_date="2026-01-07", scheduled_time="07:23", price=20)
    )
    found = g.evaluate_gates(items, week.facts("free"))
    assert codes(found) == {g.PAGE_TYPE_VIOLATION} and found[0].items == [len(items) - 1]


def test_ppv_wall_on_a_paid_page_is_a_page_type_violation(week):
    items = week.items("paid")
    items.append(
        ScheduleItem(
            send_type_key="ppv_wall",
            scheduled_date="2026-01-07",
            scheduled_time="07:23",
            price=12,
            content_type="tease",
            flyer_required=1,
        )
    )
    assert codes(g.evaluate_gates(items, week.facts("paid"))) == {g.PAGE_TYPE_VIOLATION}


# --- INSUFFICIENT_DIVERSITY -----------------------------------------------------------------------


def test_one_retention_type_on_a_paid_page_is_insufficient(week):
    items = week.without(week.items(), lambda it: it.send_type_key == "renew_on_post")
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.INSUFFICIENT_DIVERSITY} and rules(found) == {"distinct_retention"}


def test_free_page_needs_no_second_retention_type(week):
    assert g.evaluate_gates(week.items("free"), week.facts("free")) == []


def test_too_few_distinct_types_and_engagement_types_are_each_reported(week):
    dropped = {"dm_farm", "bump_descriptive", "like_farm"}
    items = week.without(week.items(), lambda it: it.send_type_key in dropped)
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.INSUFFICIENT_DIVERSITY}
    assert rules(found) == {"distinct_types", "distinct_engagement"}


# --- FLYER_REQUIREMENT_VIOLATION ------------------------------------------------------------------


def test_flyer_type_without_flag_is_a_flyer_violation(week):
    items = week.replace(week.items(), 2, flyer_required=0)
    assert codes(g.evaluate_gates(items, week.facts())) == {g.FLYER_REQUIREMENT_VIOLATION}


def test_flyer_flag_on_a_non_flyer_type_is_allowed(week):
    items = week.replace(week.items(), 4, flyer_required=1)  # bump_normal
    assert g.evaluate_gates(items, week.facts()) == []


# --- PRICE_OUT_OF_BOUNDS --------------------------------------------------------------------------


def test_prices_at_the_bounds_pass(week):
    items = week.replace(week.replace(week.items(), 2, price=5.0), 6, price=50.0)
    assert g.evaluate_gates(items, week.facts()) == []


def test_priced_type_without_a_price_is_out_of_bounds(week):
    items = week.replace(week.items(), 2, price=None)
    assert codes(g.evaluate_gates(items, week.facts())) == {g.PRICE_OUT_OF_BOUNDS}


def test_unpriced_type_with_a_price_is_out_of_bounds(week):
    items = week.replace(week.items(), 4, price=9.0)  # bump_normal
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.PRICE_OUT_OF_BOUNDS} and rules(found) == {"unpriced_type_priced"}


# --- TIMING_COLLISION -----------------------------------------------------------------------------


def test_dead_zone_send_is_a_timing_collision(week):
    items = week.replace(week.items(), 4, scheduled_time="04:11")
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.TIMING_COLLISION} and rules(found) == {"dead_zone"}


def test_dead_zone_edges(week):
    ok = week.replace(week.replace(week.items(), 4, scheduled_time="02:59"), 5, scheduled_time="07:01")
    assert g.evaluate_gates(ok, week.facts()) == []
    bad = week.replace(week.items(), 4, scheduled_time="06:59")
    assert rules(g.evaluate_gates(bad, week.facts())) == {"dead_zone"}


def test_quarter_hour_send_is_a_timing_collision(week):
    items = week.replace(week.items(), 4, scheduled_time="14:15")
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.TIMING_COLLISION} and rules(found) == {"quarter_hour"}


def test_same_type_inside_its_gap_is_a_timing_collision(week):
    items = week.items()
    items.append(ScheduleItem(send_type_key="link_drop", scheduled_date="2026-01-05", scheduled_time="15:29"))
    found = g.evaluate_gates(items, week.facts())
    assert rules(found) == {"type_gap"} and found[0].items == [5, len(items) - 1]


def test_gap_applies_across_midnight(week):
    items = week.items()
    items.append(
        ScheduleItem(send_type_key="renew_on_post", scheduled_date="2026-01-06", scheduled_time="08:07")
    )
    assert rules(g.evaluate_gates(items, week.facts())) == {"type_gap"}


def test_type_past_its_daily_cap_is_a_timing_collision(week):
    items = week.items()
    for at in ("07:23", "08:29", "22:19"):
        items.append(
            ScheduleItem(send_type_key="bump_normal", scheduled_date="2026-01-07", scheduled_time=at)
        )
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.TIMING_COLLISION} and rules(found) == {"daily_cap"}
    assert len(found[0].items) == 4


def test_type_past_its_weekly_cap_is_a_timing_collision(week):
    items = week.items()
    for day in ("2026-01-05", "2026-01-08"):
        items.append(
            ScheduleItem(
                send_type_key="vip_program", scheduled_date=day, scheduled_time="22:19", flyer_required=1
            )
        )
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.TIMING_COLLISION} and rules(found) == {"weekly_cap"}


def test_two_sends_closer_than_45_minutes_collide(week):
    items = week.replace(week.items(), 5, scheduled_time="14:53")  # link_drop 42 min after the bump
    found = g.evaluate_gates(items, week.facts())
    assert rules(found) == {"spacing"} and found[0].items == [4, 5]


def test_45_minutes_apart_is_enough(week):
    items = week.replace(week.items(), 5, scheduled_time="14:56")
    assert g.evaluate_gates(items, week.facts()) == []


# --- FOLLOWUP_VIOLATION ---------------------------------------------------------------------------


def test_followup_delay_outside_15_to_45_minutes(week):
    for delay in (14, 46):
        items = week.items()
        items = week.replace(items, 3, scheduled_time=_shift(items[2], delay), delay_minutes=delay)
        found = g.evaluate_gates(items, week.facts())
        assert codes(found) == {g.FOLLOWUP_VIOLATION} and rules(found) == {"delay_range"}, delay


def test_followup_delay_at_15_and_45_minutes_passes(week):
    for delay in (17, 44):
        items = week.items()
        items = week.replace(items, 3, scheduled_time=_shift(items[2], delay), delay_minutes=delay)
        assert g.evaluate_gates(items, week.facts()) == [], delay


def test_followup_landing_off_its_stated_delay(week):
    items = week.replace(week.items(), 3, scheduled_time="12:41")
    assert rules(g.evaluate_gates(items, week.facts())) == {"delay_mismatch"}


def test_followup_needs_an_existing_eligible_parent(week):
    items = week.items()
    assert rules(g.evaluate_gates(week.replace(items, 3, parent_item_index=None), week.facts())) == {
        "no_parent"
    }
    assert rules(g.evaluate_gates(week.replace(items, 3, parent_item_index=999), week.facts())) == {
        "no_parent"
    }
    assert rules(g.evaluate_gates(week.replace(items, 3, parent_item_index=4), week.facts())) == {
        "wrong_parent"
    }


def test_followup_of_a_followup(week):
    items = week.items()
    items.append(
        ScheduleItem(
            send_type_key="ppv_followup",
            scheduled_date="2026-01-05",
            scheduled_time="13:41",
            parent_item_index=3,
            delay_minutes=28,
        )
    )
    assert rules(g.evaluate_gates(items, week.facts())) == {"followup_of_followup"}


def test_followup_channel_must_be_targeted_message(week):
    items = week.replace(week.items(), 3, channel_key="mass_message")
    assert rules(g.evaluate_gates(items, week.facts())) == {"channel"}


def test_followups_of_a_day_need_60_minutes_and_their_own_captions(week):
    items = week.items()
    # Monday: tip-goal follow-up at 10:51; move the 12:07 PPV to 11:23 so its follow-up lands at 11:51.
    items = week.replace(items, 2, scheduled_time="11:23")
    items = week.replace(items, 3, scheduled_time="11:51", caption_id=items[1].caption_id)
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.FOLLOWUP_VIOLATION}
    assert rules(found) == {"caption_reused"}
    items = week.replace(items, 3, caption_id=4242)
    assert g.evaluate_gates(items, week.facts()) == []
    items = week.replace(week.replace(items, 2, scheduled_time="11:09"), 3, scheduled_time="11:37")
    assert rules(g.evaluate_gates(items, week.facts())) == {"spacing"}


def test_more_than_five_followups_a_day(week):
    items = week.items()
    day = "2026-01-06"
    for hh in ("07", "09", "22", "23"):
        parent = len(items)
        items.append(
            ScheduleItem(
                send_type_key="tip_goal" if hh in ("07", "23") else "ppv_unlock",
                scheduled_date=day,
                scheduled_time=f"{hh}:01",
                price=20,
                content_type=None if hh in ("07", "23") else "tease",
                flyer_required=0 if hh in ("07", "23") else 1,
            )
        )
        items.append(
            ScheduleItem(
                send_type_key="ppv_followup",
                scheduled_date=day,
                scheduled_time=f"{hh}:29",
                parent_item_index=parent,
                delay_minutes=28,
            )
        )
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.FOLLOWUP_VIOLATION} and rules(found) == {"daily_cap"}


def _with_late_night_ppv(week) -> tuple[list[ScheduleItem], int]:
    """The valid week plus a PPV at 23:11, whose follow-up must move to 08:00 the next morning."""
    items = week.items()
    items.append(
        ScheduleItem(
            send_type_key="ppv_unlock",
            scheduled_date="2026-01-06",
            scheduled_time="23:11",
            content_type="tease",
            price=15,
            flyer_required=1,
        )
    )
    return items, len(items) - 1


def test_late_night_followup_moves_to_eight_the_next_morning(week):
    items, parent = _with_late_night_ppv(week)
    moved = ScheduleItem(
        send_type_key="ppv_followup",
        scheduled_date="2026-01-07",
        scheduled_time="08:00",
        parent_item_index=parent,
        delay_minutes=28,
    )
    assert g.evaluate_gates([*items, moved], week.facts()) == []
    stayed = moved.model_copy(update={"scheduled_date": "2026-01-06", "scheduled_time": "23:39"})
    assert rules(g.evaluate_gates([*items, stayed], week.facts())) == {"late_night"}


def test_a_parent_gets_one_followup(week):
    items = week.items()
    items.append(items[3].model_copy(update={"scheduled_time": "12:35", "caption_id": 777}))
    found = g.evaluate_gates(items, week.facts())
    assert "duplicate_followup" in rules(found) and codes(found) == {g.FOLLOWUP_VIOLATION}


# --- STRUCTURE_ERROR ------------------------------------------------------------------------------


def test_date_outside_the_week_is_a_structure_error(week):
    for day in ("2026-01-04", "2026-01-12"):
        items = week.replace(week.items(), 4, scheduled_date=day)
        found = g.evaluate_gates(items, week.facts())
        assert codes(found) == {g.STRUCTURE_ERROR} and found[0].items == [4], day


def test_unreal_dates_times_and_types_are_structure_errors(week):
    for change in (
        {"scheduled_date": "2026-02-30"},
        {"scheduled_date": "06/01/2026"},
        {"scheduled_time": "24:10"},
        {"scheduled_time": "7:05"},
        {"scheduled_time": "14:61"},
        {"send_type_key": "mega_blast"},
    ):
        items = week.replace(week.items(), 4, **change)
        assert codes(g.evaluate_gates(items, week.facts())) == {g.STRUCTURE_ERROR}, change


def test_caption_ids_must_exist_when_the_bank_is_known(week):
    items = week.items()
    known = frozenset(it.caption_id for it in items if it.caption_id is not None)
    assert g.evaluate_gates(items, week.facts(known_caption_ids=known)) == []
    items = week.replace(items, 4, caption_id=999_999)
    assert codes(g.evaluate_gates(items, week.facts(known_caption_ids=known))) == {g.STRUCTURE_ERROR}
    assert codes(g.evaluate_gates(week.replace(items, 4, caption_id=0), week.facts())) == {g.STRUCTURE_ERROR}


def test_every_violation_is_reported_not_only_the_first(week):
    items = week.items()
    for index in (4, 12, 20):
        items = week.replace(items, index, scheduled_time="14:30")
    found = g.evaluate_gates(items, week.facts())
    assert [v.items for v in found] == [[4], [12], [20]]


def test_violation_counts_cover_every_gate(week):
    items = week.replace(week.items(), 4, scheduled_time="14:30")
    counts = g.violation_counts(g.evaluate_gates(items, week.facts()))
    assert counts[g.TIMING_COLLISION] == 1 and counts["critical"] == 1
    assert set(counts) == {*g.GATE_CODES, "critical"}


# --- hypothesis: random single mutations of the valid week are caught with exactly their code ----


@FAST
@given(data=st.data())
def test_mutation_into_the_dead_zone(week, data):
    items = week.items()
    index = data.draw(
        st.sampled_from(
            [i for i in _plain_indices(items) if items[i].send_type_key in {"bump_normal", "link_drop"}]
        )
    )
    hour = data.draw(st.integers(3, 6))
    minute = data.draw(st.integers(0, 59).filter(lambda m: m % 15))
    found = g.evaluate_gates(
        week.replace(items, index, scheduled_time=f"{hour:02d}:{minute:02d}"), week.facts()
    )
    assert codes(found) == {g.TIMING_COLLISION} and rules(found) == {"dead_zone"}


@FAST
@given(data=st.data())
def test_mutation_onto_a_quarter_hour(week, data):
    items = week.items()
    index = data.draw(st.sampled_from(_plain_indices(items)))
    quarter = data.draw(st.sampled_from([0, 15, 30, 45]))
    hour = items[index].scheduled_time[:2]
    found = g.evaluate_gates(week.replace(items, index, scheduled_time=f"{hour}:{quarter:02d}"), week.facts())
    assert codes(found) == {g.TIMING_COLLISION} and "quarter_hour" in rules(found)


@FAST
@given(day=st.integers(0, 6))
def test_mutation_duplicating_a_type_past_its_cap(week, day):
    items = week.items()
    on = (week.week_start + timedelta(days=day)).isoformat()
    for at in ("07:23", "08:29", "22:19"):
        items.append(ScheduleItem(send_type_key="bump_normal", scheduled_date=on, scheduled_time=at))
    found = g.evaluate_gates(items, week.facts())
    assert codes(found) == {g.TIMING_COLLISION} and rules(found) == {"daily_cap"}


@FAST
@given(data=st.data())
def test_mutation_to_avoid_content(week, data):
    items = week.items()
    index = _draw_index(data, items, lambda it: it.content_type)
    found = g.evaluate_gates(week.replace(items, index, content_type="feet"), week.facts())
    assert codes(found) == {g.AVOID_TIER_VIOLATION} and found[0].items == [index]


@FAST
@given(data=st.data())
def test_mutation_to_content_outside_the_vault(week, data):
    items = week.items()
    index = _draw_index(data, items, lambda it: it.content_type)
    name = data.draw(
        st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
            lambda n: n not in week.facts().vault_types
        )
    )
    found = g.evaluate_gates(week.replace(items, index, content_type=name), week.facts())
    assert codes(found) == {g.VAULT_VIOLATION}


@FAST
@given(data=st.data())
def test_mutation_dropping_a_flyer_flag(week, data):
    items = week.items()
    index = _draw_index(data, items, lambda it: SEND_TYPES[it.send_type_key].requires_flyer)
    found = g.evaluate_gates(week.replace(items, index, flyer_required=0), week.facts())
    assert codes(found) == {g.FLYER_REQUIREMENT_VIOLATION} and found[0].items == [index]


@FAST
@given(data=st.data())
def test_mutation_pricing_out_of_bounds(week, data):
    items = week.items()
    index = _draw_index(data, items, lambda it: SEND_TYPES[it.send_type_key].requires_price)
    price = data.draw(
        st.sampled_from([4.99, 50.01])
        | st.floats(0.01, 4.99)
        | st.floats(50.01, 10_000, allow_infinity=False)
    )
    found = g.evaluate_gates(week.replace(items, index, price=price), week.facts())
    assert codes(found) == {g.PRICE_OUT_OF_BOUNDS} and found[0].items == [index]


@FAST
@given(data=st.data())
def test_mutation_followup_delay(week, data):
    items = week.items()
    index = _draw_index(data, items, lambda it: it.send_type_key == "ppv_followup")
    delay = data.draw(st.sampled_from([14, 46]) | st.integers(1, 14) | st.integers(46, 59))
    parent = items[items[index].parent_item_index or 0]
    moved = week.replace(items, index, scheduled_time=_shift(parent, delay), delay_minutes=delay)
    found = g.evaluate_gates(moved, week.facts())
    assert g.FOLLOWUP_VIOLATION in codes(found)
    assert codes(found) <= {g.FOLLOWUP_VIOLATION, g.TIMING_COLLISION}
    timing = [v for v in found if v.code == g.TIMING_COLLISION]
    assert all(v.rule == "quarter_hour" for v in timing)  # only when parent + delay lands on a quarter


@FAST
@given(day=st.integers(0, 6))
def test_mutation_free_page_with_tip_goal(week, day):
    items = week.items("free")
    on = week.week_start + timedelta(days=day)
    items.append(
        ScheduleItem(
            send_type_key="tip_goal", scheduled_date=on.isoformat(), scheduled_time="07:23", price=20
        )
    )
    assert codes(g.evaluate_gates(items, week.facts("free"))) == {g.PAGE_TYPE_VIOLATION}


@FAST
@given(data=st.data())
def test_mutation_out_of_the_week(week, data):
    items = week.items()
    index = data.draw(st.sampled_from(_plain_indices(items)))
    offset = data.draw(st.integers(-30, -1) | st.integers(7, 30))
    day = week.week_start + timedelta(days=offset)
    found = g.evaluate_gates(week.replace(items, index, scheduled_date=day.isoformat()), week.facts())
    assert codes(found) == {g.STRUCTURE_ERROR}


def test_facts_from_context_copies_vault_and_avoid_and_takes_a_caption_bank():
    context = CreatorContext(
        creator_id="c1",
        page_name="c1",
        page_type="paid",
        week_start=date(2026, 1, 5),
        volume_config={},
        vault_types=("a", "b"),
        avoid_types=("b",),
        captions=(CaptionOption(caption_id=7, caption_text="x", send_type="ppv_unlock"),),
    )
    facts = g.facts_from_context(context)
    assert facts.vault_types == {"a", "b"} and facts.avoid_types == {"b"}
    assert facts.known_caption_ids is None and facts.week_end == date(2026, 1, 11)
    assert g.facts_from_context(context, known_caption_ids=frozenset({7, 8})).known_caption_ids == {7, 8}


def test_followup_without_a_stated_delay_is_judged_by_where_it_lands(week):
    items = week.replace(week.items(), 3, delay_minutes=None)  # parent 12:07, follow-up 12:35
    assert g.evaluate_gates(items, week.facts()) == []
    for at in ("12:21", "12:53"):  # 14 and 46 minutes after
        moved = week.replace(items, 3, scheduled_time=at)
        assert rules(g.evaluate_gates(moved, week.facts())) == {"delay_range"}, at


def test_late_night_move_without_a_stated_delay(week):
    items, parent = _with_late_night_ppv(week)
    moved = ScheduleItem(
        send_type_key="ppv_followup",
        scheduled_date="2026-01-07",
        scheduled_time="08:00",
        parent_item_index=parent,
    )
    assert g.evaluate_gates([*items, moved], week.facts()) == []
    early = week.replace([*items, moved], parent, scheduled_time="22:01")
    assert rules(g.evaluate_gates(early, week.facts())) == {"delay_range", "quarter_hour"}
