"""Phases 1 and 9: blocking checks, unbundled answers assembled, prices and expected revenue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from eros.errors import CreatorNotFound
from eros.legacy import p01_preflight, p09_revenue
from eros.legacy.state import Assembled
from eros.models import CaptionOption, CreatorContext, ScheduleItem
from eros.rules.pricing import PRICE_CEILING, PRICE_FLOOR
from eros.rules.rankings import SIGNAL_WINDOW_DAYS


def test_usable_types_are_the_vault_minus_avoid() -> None:
    vault = {"allowed_type_names": ["a", "b", "c"]}
    assert p01_preflight.usable_content_types(vault, {"avoid_types": ["b"]}) == ["a", "c"]
    assert p01_preflight.usable_content_types({}, {}) == []


def test_blocking_checks_name_every_blocker() -> None:
    assert p01_preflight.blocking_checks(["a"], 50) == []
    blockers = p01_preflight.blocking_checks([], 3)
    assert len(blockers) == 2 and "vault" in blockers[0] and "3 usable captions" in blockers[1]


def test_caption_pool_is_summed_over_content_types() -> None:
    answer = {
        "captions_by_type": {
            "a": {"pool_stats": {"total_available": 30}},
            "b": {"pool_stats": {"total_available": 25}},
        }
    }
    assert p01_preflight.usable_captions(answer) == 55


def test_an_inactive_creator_is_stopped_with_a_code() -> None:
    with pytest.raises(CreatorNotFound) as caught:
        p01_preflight.check_active({"creator_id": "x", "is_active": False})
    assert caught.value.code == "CREATOR_INACTIVE"


def _answers(pool: int) -> dict[str, dict[str, Any]]:
    creator = {
        "creator_id": "c1",
        "page_name": "c1",
        "page_type": "paid",
        "is_active": True,
        "current_fan_count": 10,
    }
    return {
        "profile": {"creator": creator},
        "analytics": {"analytics": {"mm_revenue_confidence": 0.3}},
        "volume": {"tier": "LITE", "mm_revenue": 300.0, "days": [{"date": "2026-01-05", "revenue": 3}]},
        "rankings": {"rankings": [], "avoid_types": [], "top_types": [], "is_stale": True},
        "vault": {"allowed_type_names": ["solo"]},
        "persona": {"primary_tone": "playful"},
        "triggers": {"triggers": [], "multipliers_by_content_type": {}, "compound_multiplier": 1.0},
        "trends": {"period": "14d", "total_sends": 3},
        "captions": {"captions_by_type": {"solo": {"pool_stats": {"total_available": pool}}}},
    }


def test_separate_answers_make_the_same_context_shape_as_v5() -> None:
    pre = p01_preflight.assemble(_answers(60), date(2026, 1, 5), mcp_calls=9, duration_ms=1.0)
    assert pre.context.creator_id == "c1" and pre.context.vault_types == ("solo",)
    assert pre.context.volume_config["days"][0]["revenue"] == 3  # get_volume_config's own plan
    assert pre.status == "WARN" and len(pre.warnings) == 3  # stale, no rankings, low confidence
    with pytest.raises(p01_preflight.PreflightBlocked) as caught:
        p01_preflight.assemble(_answers(10), date(2026, 1, 5), mcp_calls=9, duration_ms=1.0)
    assert caught.value.code == "PREFLIGHT_BLOCKED"


def _items() -> Assembled:
    return Assembled(
        items=(
            ScheduleItem(
                send_type_key="ppv_unlock",
                scheduled_date="2026-01-09",
                scheduled_time="20:07",
                content_type="solo",
                caption_id=1,
            ),
            ScheduleItem(send_type_key="bump_normal", scheduled_date="2026-01-09", scheduled_time="21:07"),
            ScheduleItem(
                send_type_key="bundle",
                scheduled_date="2026-01-10",
                scheduled_time="12:07",
                content_type="solo",
            ),
        )
    )


def test_priced_types_get_a_bounded_price_and_others_none(
    make_context: Callable[..., CreatorContext],
) -> None:
    caption = CaptionOption(caption_id=1, caption_text="t", send_type="ppv_unlock", suggested_price=20.0)
    context = make_context(
        captions=(caption,),
        analytics={"performance_by_send_type": {"ppv_unlock": {"sends": 50, "revenue_per_send": 30.0}}},
    )
    priced = p09_revenue.optimise(context, _items())
    ppv, bump, bundle = priced.items
    assert ppv.price is not None and PRICE_FLOOR <= ppv.price <= PRICE_CEILING
    assert bump.price is None and bundle.price is not None
    assert "weekend_evening" in priced.adjustments[0] and "bundle" in priced.adjustments[2]
    assert priced.expected_revenue == pytest.approx(
        sum(i.expected_revenue or 0 for i in priced.items), abs=0.02
    )
    assert ppv.expected_revenue is not None and ppv.expected_revenue > (bump.expected_revenue or 0)


def test_small_pages_pay_the_base_price(make_context: Callable[..., CreatorContext]) -> None:
    context = make_context(fan_count=200, base_price=12.0)
    priced = p09_revenue.optimise(context, _items())
    assert [i.price for i in priced.items] == [12.0, None, 12.0]
    assert priced.adjustments == {}


def test_scarcity_reads_this_week_then_the_rankings(make_context: Callable[..., CreatorContext]) -> None:
    context = make_context()
    monday = date(2026, 1, 5)
    assert p09_revenue.days_since_content(context, "solo", {}, monday) == 0  # 12 sends in 30 days
    assert p09_revenue.days_since_content(context, "unranked", {}, monday) == SIGNAL_WINDOW_DAYS == 30
    assert p09_revenue.days_since_content(context, "solo", {"solo": date(2026, 1, 1)}, monday) == 4
    assert p09_revenue.days_since_content(context, None, {}, monday) == 0
