"""Hand-built creator contexts for the generator's unit tests (no database, no tools)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from eros.models import CaptionOption, ContentRanking, CreatorContext, Learning
from eros.rules.send_types import FOLLOWUP_KEY, schedulable_types
from eros.rules.volume import week_targets
from eros.scheduling import PlannedWeek, plan_week

WEEK = date(2026, 1, 5)
VAULT = ("cosplay", "feet", "lingerie", "shower_bath", "solo", "teasing", "toy_play", "workout")
AVOID = ("workout",)
#: A creator whose 21:00 sends and `shower_bath` content really earn more.
STAR_HOUR = 21
STAR_CONTENT = "shower_bath"
#: The solver stops at its proven 0.2 % gap long before this; the budget only guards loaded CI machines.
TEST_TIME_LIMIT_S = 0.8


def analytics(scale: float = 1.0) -> dict[str, Any]:
    """Ninety days of history in the analytics contract's shape, with an exploitable structure."""
    hours = {
        str(h): {"sends": 0 if 3 <= h < 7 else 40, "revenue_per_send": 0.0 if 3 <= h < 7 else 15.0 * scale}
        for h in range(24)
    }
    hours[str(STAR_HOUR)] = {"sends": 60, "revenue_per_send": 30.0 * scale}
    hours["9"] = {"sends": 40, "revenue_per_send": 6.0 * scale}
    content = {ct: {"sends": 30, "revenue_per_send": 20.0 * scale, "conversion": 0.02} for ct in VAULT}
    content[STAR_CONTENT] = {"sends": 40, "revenue_per_send": 40.0 * scale, "conversion": 0.04}
    return {
        "mm_revenue": 2000.0 * scale,
        "mm_revenue_source": "mass_messages_30d",
        "mm_revenue_confidence": 0.9,
        "avg_revenue_per_purchase": 18.0,
        "conversion_rate": 0.02,
        "open_rate": 0.3,
        "performance_by_hour": hours,
        "performance_by_weekday": {
            str(d): {"sends": 100, "revenue_per_send": 15.0 * scale} for d in range(7)
        },
        "performance_by_send_type": {
            "ppv_unlock": {"sends": 200, "revenue_per_send": 30.0 * scale, "conversion": 0.03},
            "bundle": {"sends": 30, "revenue_per_send": 35.0 * scale, "conversion": 0.03},
            "tip_goal": {"sends": 40, "revenue_per_send": 25.0 * scale, "conversion": 0.02},
            "bump_normal": {"sends": 200, "revenue_per_send": 3.0 * scale, "conversion": 0.0},
            "link_drop": {"sends": 60, "revenue_per_send": 2.0 * scale, "conversion": 0.0},
            "renew_on_message": {"sends": 40, "revenue_per_send": 6.0 * scale, "conversion": 0.0},
        },
        "performance_by_content_type": content,
        "fatigue_by_gap_days": {"1": 0.6, "2": 0.72, "3": 0.84, "4": 0.93, "5": 1.0, "6": 1.0, "7": 1.0},
        "price_points": [
            {"price": 10.0, "sends": 40, "revenue_per_send": 20.0 * scale, "conversion": 0.04},
            {"price": 20.0, "sends": 60, "revenue_per_send": 28.0 * scale, "conversion": 0.03},
            {"price": 30.0, "sends": 20, "revenue_per_send": 30.0 * scale, "conversion": 0.02},
        ],
        "weekly_earnings": [500.0 * scale] * 8,
        "avg_weekly_revenue": 500.0 * scale,
    }


def captions(page_type: str) -> tuple[CaptionOption, ...]:
    """Thirty captions per send type, plus four per content type for every media type."""
    out: list[CaptionOption] = []
    keys = [st for st in schedulable_types(page_type)]
    next_id = 1
    for st in keys:
        for n in range(30):
            out.append(CaptionOption(caption_id=next_id, caption_text=f"{st.key} {n}", send_type=st.key))
            next_id += 1
        if st.requires_media:
            for ct in VAULT:
                if ct in AVOID:
                    continue
                for n in range(4):
                    out.append(
                        CaptionOption(
                            caption_id=next_id,
                            caption_text=f"{st.key} {ct} {n}",
                            send_type=st.key,
                            content_type=ct,
                            suggested_price=18.0 if st.requires_price else None,
                        )
                    )
                    next_id += 1
    for n in range(40):
        out.append(CaptionOption(caption_id=next_id, caption_text=f"follow-up {n}", send_type=FOLLOWUP_KEY))
        next_id += 1
    return tuple(out)


def volume_days(tier: str, page_type: str) -> list[dict[str, Any]]:
    return [
        {
            "date": d.day.isoformat(),
            "revenue": d.revenue,
            "engagement": d.engagement,
            "retention": d.retention,
        }
        for d in week_targets(WEEK, tier, page_type)
    ]


def make_context(
    tier: str = "STANDARD",
    page_type: str = "paid",
    *,
    creator_id: str = "c1",
    learnings: tuple[Learning, ...] = (),
    vault: tuple[str, ...] = VAULT,
    with_days: bool = True,
    **overrides: Any,
) -> CreatorContext:
    volume: dict[str, Any] = {"tier": tier}
    if with_days:
        volume["days"] = volume_days(tier, page_type)
    fields: dict[str, Any] = {
        "creator_id": creator_id,
        "page_name": creator_id,
        "page_type": page_type,
        "fan_count": 5000,
        "base_price": 18.0,
        "week_start": WEEK,
        "volume_config": volume,
        "vault_types": vault,
        "avoid_types": AVOID,
        "top_types": (STAR_CONTENT,),
        "rankings": (ContentRanking(content_type=STAR_CONTENT, performance_tier="TOP", sends_30d=6),),
        "trigger_multipliers": {"teasing": 1.2},
        "analytics": analytics(),
        "captions": captions(page_type),
        "learnings": learnings,
    }
    fields.update(overrides)
    return CreatorContext(**fields)


@pytest.fixture
def context_factory() -> Callable[..., CreatorContext]:
    return make_context


@pytest.fixture(scope="session")
def planned() -> Callable[[str, str], tuple[CreatorContext, PlannedWeek]]:
    """Plans of the hand-built contexts, computed once per session (plans are deterministic)."""
    cache: dict[tuple[str, str], tuple[CreatorContext, PlannedWeek]] = {}

    def plan(tier: str, page_type: str) -> tuple[CreatorContext, PlannedWeek]:
        if (tier, page_type) not in cache:
            context = make_context(tier, page_type, creator_id=f"{tier.lower()}_{page_type}")
            cache[tier, page_type] = (context, plan_week(context, time_limit_s=TEST_TIME_LIMIT_S))
        return cache[tier, page_type]

    return plan
