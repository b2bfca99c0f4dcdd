"""The send-type table is the rulebook's spine (DOMAIN §1): pin its shape."""

from __future__ import annotations

from eros.rules.send_types import (
    FOLLOWUP_KEY,
    SEND_TYPES,
    Category,
    Channel,
    get_send_type,
    min_distinct_by_category,
    schedulable_types,
    send_types_for_page,
)


def test_there_are_22_send_types_in_three_categories() -> None:
    assert len(SEND_TYPES) == 22
    by_category = {cat: sum(1 for st in SEND_TYPES.values() if st.category is cat) for cat in Category}
    assert by_category == {Category.REVENUE: 9, Category.ENGAGEMENT: 9, Category.RETENTION: 4}


def test_paid_pages_get_21_types_and_free_pages_18() -> None:
    paid = {st.key for st in send_types_for_page("paid")}
    free = {st.key for st in send_types_for_page("free")}
    assert len(paid) == 21
    assert "ppv_wall" not in paid
    assert len(free) == 18
    assert not free & {"tip_goal", "renew_on_post", "renew_on_message", "expired_winback"}


def test_followups_are_never_scheduled_on_their_own() -> None:
    assert FOLLOWUP_KEY not in {st.key for st in schedulable_types("paid")}
    assert FOLLOWUP_KEY in {st.key for st in send_types_for_page("paid")}


def test_rule_fields_of_a_few_types() -> None:
    ppv = get_send_type("ppv_unlock")
    assert (ppv.max_per_day, ppv.gap_minutes, ppv.requires_media, ppv.requires_price, ppv.requires_flyer) == (
        4,
        120,
        True,
        True,
        True,
    )
    vip = get_send_type("vip_program")
    assert (vip.max_per_week, vip.gap_minutes, vip.requires_price, vip.channel) == (
        1,
        1440,
        False,
        Channel.WALL_POST,
    )
    assert get_send_type("renew_on_message").channel is Channel.TARGETED_MESSAGE


def test_unknown_send_type_names_the_key() -> None:
    try:
        get_send_type("ppv_unlok")
    except KeyError as exc:
        assert "ppv_unlok" in str(exc)
    else:
        raise AssertionError("an unknown key must raise")


def test_diversity_minimums_ask_retention_variety_of_paid_pages_only() -> None:
    assert min_distinct_by_category("paid") == {
        Category.REVENUE: 4,
        Category.ENGAGEMENT: 4,
        Category.RETENTION: 2,
    }
    assert min_distinct_by_category("free")[Category.RETENTION] == 0


def test_week_cap_is_the_weekly_cap_else_seven_daily_caps() -> None:
    assert get_send_type("vip_program").week_cap == 1
    assert get_send_type("ppv_unlock").week_cap == 28
