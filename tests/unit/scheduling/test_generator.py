"""plan_week over hand-built contexts: valid by construction, deterministic, honest about its gap."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest

import eros.scheduling
from eros.models import CreatorContext, Learning, ScheduleItem, Violation
from eros.rules.followups import MAX_PER_DAY
from eros.rules.send_types import FOLLOWUP_KEY, FOLLOWUP_PARENTS, SEND_TYPES, Category
from eros.rules.timing import parse_time
from eros.scheduling import PlannedWeek, plan_week
from eros.scheduling.problem import feedback_actions
from eros.validation.gates import evaluate_gates, facts_from_context

from .conftest import AVOID, STAR_HOUR, TEST_TIME_LIMIT_S, make_context, volume_days

TIERS = ("MINIMAL", "LITE", "STANDARD", "HIGH_VALUE", "PREMIUM")
Planned = Callable[[str, str], tuple[CreatorContext, PlannedWeek]]


@pytest.mark.parametrize("page_type", ["paid", "free"])
@pytest.mark.parametrize("tier", TIERS)
def test_every_tier_and_page_type_passes_every_hard_gate(planned: Planned, tier: str, page_type: str) -> None:
    context, plan = planned(tier, page_type)
    assert plan.solver == "cp-sat"
    assert evaluate_gates(plan.items, facts_from_context(context)) == []


@pytest.mark.parametrize("page_type", ["paid", "free"])
@pytest.mark.parametrize("tier", ["MINIMAL", "STANDARD", "HIGH_VALUE"])
def test_daily_targets_are_met_and_only_follow_ups_exceed_them(
    planned: Planned, tier: str, page_type: str
) -> None:
    """(PREMIUM days can ask for more revenue sends than once-a-week types allow; not tested here.)"""
    _, plan = planned(tier, page_type)
    standalone: Counter[tuple[str, Category]] = Counter()
    followups: Counter[str] = Counter()
    for item in plan.items:
        if item.is_follow_up:
            followups[item.scheduled_date] += 1
        else:
            standalone[item.scheduled_date, SEND_TYPES[item.send_type_key].category] += 1
    for day in volume_days(tier, page_type):
        for category in Category:
            target = day[category.value]
            sent = standalone[day["date"], category]
            assert sent <= target
            extra = followups[day["date"]] if category is Category.RETENTION else 0
            assert sent + extra >= target, (day["date"], category, sent, extra, target)


def test_same_input_gives_the_same_schedule(planned: Planned) -> None:
    context, plan = planned("STANDARD", "paid")
    again = plan_week(context, time_limit_s=TEST_TIME_LIMIT_S)
    assert [i.model_dump() for i in again.items] == [i.model_dump() for i in plan.items]
    assert (again.objective, again.upper_bound, again.expected_revenue) == (
        plan.objective,
        plan.upper_bound,
        plan.expected_revenue,
    )


def test_the_solver_reports_objective_bound_and_a_small_gap(planned: Planned) -> None:
    _, plan = planned("HIGH_VALUE", "paid")
    assert plan.upper_bound >= plan.objective > 0
    assert 0.0 <= plan.gap <= 0.02
    assert plan.gap == pytest.approx((plan.upper_bound - plan.objective) / plan.upper_bound, abs=1e-3)


def test_revenue_beats_the_naive_baseline(planned: Planned) -> None:
    _, plan = planned("STANDARD", "paid")
    assert plan.expected_revenue == pytest.approx(sum(i.expected_revenue or 0 for i in plan.items), abs=0.05)
    assert plan.revenue_ratio >= 1.15


def test_the_model_steers_revenue_to_the_hour_and_content_that_earn(planned: Planned) -> None:
    _, plan = planned("STANDARD", "paid")
    revenue = [i for i in plan.items if SEND_TYPES[i.send_type_key].category is Category.REVENUE]
    assert any(parse_time(i.scheduled_time).hour == STAR_HOUR for i in revenue)
    content = Counter(i.content_type for i in plan.items if i.content_type)
    assert content.most_common(1)[0][0] == "shower_bath"
    assert not set(content) & set(AVOID)


def test_every_parent_that_can_take_a_follow_up_gets_one(planned: Planned) -> None:
    _, plan = planned("STANDARD", "free")
    parents = [n for n, i in enumerate(plan.items) if i.send_type_key in FOLLOWUP_PARENTS]
    followed = {i.parent_item_index for i in plan.items if i.is_follow_up}
    per_day = Counter(plan.items[n].scheduled_date for n in parents)
    eligible = sum(min(n, MAX_PER_DAY) for n in per_day.values())
    assert len(followed) >= 0.8 * eligible
    for item in plan.items:
        if item.is_follow_up:
            assert item.send_type_key == FOLLOWUP_KEY and item.channel_key == "targeted_message"
            assert item.parent_item_index is not None and item.parent_item_index in parents


def test_captions_are_never_reused_within_the_week(planned: Planned) -> None:
    _, plan = planned("PREMIUM", "paid")
    ids = [i.caption_id for i in plan.items if i.caption_id is not None]
    assert len(ids) == len(set(ids)) > 0.9 * len(plan.items)


def test_another_revision_reseeds_jitter_and_delays_and_stays_valid(planned: Planned) -> None:
    context, plan = planned("LITE", "paid")
    other = plan_week(context, revision=1, time_limit_s=TEST_TIME_LIMIT_S)
    assert [i.scheduled_time for i in other.items] != [i.scheduled_time for i in plan.items]
    assert [(i.send_type_key, i.scheduled_date) for i in other.items] == [
        (i.send_type_key, i.scheduled_date) for i in plan.items
    ]
    assert evaluate_gates(other.items, facts_from_context(context)) == []


def test_feedback_naming_a_content_type_bans_it() -> None:
    context = make_context("LITE", "paid", creator_id="feedback")
    first = plan_week(context, time_limit_s=TEST_TIME_LIMIT_S)
    used = Counter(i.content_type for i in first.items if i.content_type).most_common(1)[0][0]
    complaint = Violation(code="VAULT_VIOLATION", message=f"item 3 uses content type '{used}'", items=[3])
    second = plan_week(context, revision=1, feedback=[complaint], time_limit_s=TEST_TIME_LIMIT_S)
    assert used not in {i.content_type for i in second.items}
    assert evaluate_gates(second.items, facts_from_context(context)) == []


def test_feedback_naming_a_send_type_bans_that_type_only() -> None:
    context = make_context("LITE", "paid", creator_id="feedback")
    complaint = Violation(
        code="PAGE_TYPE_VIOLATION", message="item 2: ppv_wall and ppv_followup on this page", items=[2]
    )
    assert feedback_actions([complaint], context).banned_types == frozenset({"ppv_wall"})


def test_feedback_on_follow_ups_drops_them_and_diversity_feedback_adds_a_type() -> None:
    context = make_context("STANDARD", "paid", creator_id="feedback2")
    complaints = [
        Violation(code="FOLLOWUP_VIOLATION", message="follow-ups 4 and 6 are 40 minutes apart"),
        Violation(code="INSUFFICIENT_DIVERSITY", message="The week uses 9 distinct send types"),
    ]
    plan = plan_week(context, revision=1, feedback=complaints, time_limit_s=TEST_TIME_LIMIT_S)
    assert not any(i.is_follow_up for i in plan.items)
    assert len({i.send_type_key for i in plan.items}) >= 11
    assert evaluate_gates(plan.items, facts_from_context(context)) == []


def test_learnings_high_avoid_is_obeyed_and_price_limits_bound_prices() -> None:
    learnings = (
        Learning(id="a", confidence="HIGH", title="no 9 pm", directive={"avoid_hours": [STAR_HOUR]}),
        Learning(id="b", confidence="MEDIUM", title="cheap", directive={"max_price": 12}),
        Learning(id="c", confidence="LOW", title="ignored", directive={"avoid_hours": [12]}),
    )
    context = make_context("STANDARD", "paid", creator_id="learner", learnings=learnings)
    plan = plan_week(context, time_limit_s=TEST_TIME_LIMIT_S)
    regular = [i for i in plan.items if not i.is_follow_up]
    assert all(parse_time(i.scheduled_time).hour != STAR_HOUR for i in regular)
    assert any(parse_time(i.scheduled_time).hour == 12 for i in regular)
    assert all(i.price is None or i.price <= 12 for i in plan.items)
    assert evaluate_gates(plan.items, facts_from_context(context)) == []


def test_targets_fall_back_to_the_rulebook_when_the_volume_config_has_no_days() -> None:
    context = make_context("LITE", "free", creator_id="nodays", with_days=False)
    plan = plan_week(context, time_limit_s=TEST_TIME_LIMIT_S)
    per_day: dict[str, int] = defaultdict(int)
    for item in plan.items:
        if not item.is_follow_up and SEND_TYPES[item.send_type_key].category is Category.REVENUE:
            per_day[item.scheduled_date] += 1
    assert [per_day[d["date"]] for d in volume_days("LITE", "free")] == [
        d["revenue"] for d in volume_days("LITE", "free")
    ]


def test_the_greedy_fallback_is_valid_too() -> None:
    context = make_context("HIGH_VALUE", "free", creator_id="greedy")
    plan = plan_week(context, use_solver=False)
    assert plan.solver == "greedy"
    assert plan.upper_bound >= plan.objective
    assert evaluate_gates(plan.items, facts_from_context(context)) == []
    assert plan_week(context, use_solver=False).items == plan.items


def _times(items: list[ScheduleItem]) -> list[str]:
    return [f"{i.scheduled_date} {i.scheduled_time}" for i in items]


def test_items_come_in_time_order_with_follow_ups_after_their_parents(planned: Planned) -> None:
    _, plan = planned("HIGH_VALUE", "paid")
    assert _times(plan.items) == sorted(_times(plan.items))
    for n, item in enumerate(plan.items):
        if item.is_follow_up:
            assert item.parent_item_index is not None and item.parent_item_index < n


def test_an_empty_vault_plans_without_media_and_still_passes_the_gates() -> None:
    context = make_context("STANDARD", "paid", creator_id="novault", vault=())
    plan = plan_week(context, time_limit_s=TEST_TIME_LIMIT_S)
    assert not any(i.content_type for i in plan.items)
    assert not any(SEND_TYPES[i.send_type_key].requires_media for i in plan.items)
    assert evaluate_gates(plan.items, facts_from_context(context)) == []


def test_without_or_tools_the_greedy_plan_stands_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "eros.scheduling.optimizer", None)
    monkeypatch.delattr(eros.scheduling, "optimizer", raising=False)
    context = make_context("MINIMAL", "paid", creator_id="noortools")
    plan = plan_week(context)
    assert plan.solver == "greedy"
    assert evaluate_gates(plan.items, facts_from_context(context)) == []
