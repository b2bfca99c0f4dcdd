"""A hand-written valid week (paid and free) that the gate and scoring tests break one rule at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from eros.models import CaptionOption, Learning, ScheduleItem
from eros.rules.send_types import Category
from eros.rules.volume import week_targets
from eros.validation.gates import GateFacts
from eros.validation.scoring import ScoringFacts

WEEK = date(2026, 1, 5)
VAULT = frozenset({"lingerie", "shower", "solo", "b/g", "feet", "tease"})
#: In the vault on purpose: swapping content to it breaks AVOID and nothing else.
AVOID = frozenset({"feet"})
TIERS = {"lingerie": "TOP", "shower": "TOP", "solo": "MID", "tease": "LOW", "b/g": "LOW", "feet": "AVOID"}
PRIME = {12, 13, 20, 21, 22}
#: A history where prime hours and TOP content earn more, in the shape of the analytics contract.
ANALYTICS = {
    "performance_by_hour": {
        str(h): {"sends": 40, "revenue_per_send": 30.0 if h in PRIME else 12.0} for h in range(24)
    },
    "performance_by_content_type": {
        name: {"sends": 50, "revenue_per_send": rps, "conversion": 0.05}
        for name, rps in {"lingerie": 40.0, "shower": 35.0, "solo": 25.0, "tease": 8.0, "b/g": 9.0}.items()
    },
    "performance_by_send_type": {
        "ppv_unlock": {"sends": 150, "revenue_per_send": 30.0, "conversion": 0.08},
        "bump_normal": {"sends": 80, "revenue_per_send": 3.0, "conversion": 0.0},
        "ppv_followup": {"sends": 80, "revenue_per_send": 8.0, "conversion": 0.03},
    },
    "avg_weekly_revenue": 900.0,
}


@dataclass(frozen=True)
class Week:
    """Builders for schedules; a session fixture so hypothesis tests may use it."""

    week_start: date = WEEK

    def facts(self, page_type: str = "paid", known_caption_ids: frozenset[int] | None = None) -> GateFacts:
        return GateFacts(
            creator_id="c1",
            page_type=page_type,
            week_start=self.week_start,
            timezone="America/New_York",
            vault_types=VAULT,
            avoid_types=AVOID,
            known_caption_ids=known_caption_ids,
        )

    def scoring(
        self,
        *,
        fresh: bool = True,
        learnings: tuple[Learning, ...] = (),
        analytics: dict[str, object] | None = None,
        triggers: dict[str, float] | None = None,
    ) -> ScoringFacts:
        """Scoring facts for a STANDARD paid creator; captions 1001–1099 are in its pool."""
        return ScoringFacts(
            creator_id="c1",
            page_name="c1",
            page_type="paid",
            tier="STANDARD",
            week_start=self.week_start,
            timezone="America/New_York",
            daily_targets={
                d.day: {c: d.target(c) for c in Category}
                for d in week_targets(self.week_start, "STANDARD", "paid")
            },
            content_tiers=TIERS,
            trigger_multipliers={"lingerie": 1.2} if triggers is None else triggers,
            captions={
                i: CaptionOption(caption_id=i, caption_text="x", send_type="ppv_unlock", fresh=fresh)
                for i in range(1001, 1100)
            },
            analytics=ANALYTICS if analytics is None else analytics,
            learnings=learnings,
        )

    def careless(self) -> list[ScheduleItem]:
        """Valid but careless: the same off-peak hours daily, LOW content, 3 captions on repeat,
        prices outside the typical ranges, no follow-ups."""
        items: list[ScheduleItem] = []
        extras = ["bundle", "game_post", "dm_farm", "bump_descriptive", "first_to_tip", "like_farm", "bundle"]

        def add(day: date, hh_mm: str, key: str, **fields: object) -> None:
            fields.setdefault("caption_id", 1001 + len(items) % 3)
            items.append(
                ScheduleItem(
                    send_type_key=key, scheduled_date=day.isoformat(), scheduled_time=hh_mm, **fields
                )
            )

        for offset in range(7):
            day = self.week_start + timedelta(days=offset)
            add(day, "07:11", "ppv_unlock", content_type="tease", price=45.0, flyer_required=1)
            add(day, "08:17", "bump_normal")
            add(day, "09:53", "ppv_unlock", content_type="b/g", price=45.0, flyer_required=1)
            add(day, "10:59", "link_drop")
            if offset == 0:
                add(day, "14:37", "tip_goal", price=5.0)
            if offset == 1:
                add(day, "14:37", "renew_on_message")
            extra = extras[offset]
            fields: dict[str, object] = {}
            if extra == "bundle":
                fields = {"content_type": "tease", "price": 45.0, "flyer_required": 1}
            elif extra == "first_to_tip":
                fields = {"flyer_required": 1}
            add(day, "15:59", extra, **fields)
            add(day, "23:41", "renew_on_post")
        return items

    def items(self, page_type: str = "paid") -> list[ScheduleItem]:
        """A week passing every gate: each day 2 PPVs with follow-ups, bump, link drop, extra, closer."""
        items: list[ScheduleItem] = []
        caption = 1000
        extras = ["bundle", "game_post", "dm_farm", "bump_descriptive", "first_to_tip", "like_farm", "bundle"]

        def add(day: date, hh_mm: str, key: str, **fields: object) -> int:
            nonlocal caption
            caption += 1
            fields.setdefault("caption_id", caption)
            items.append(
                ScheduleItem(
                    send_type_key=key, scheduled_date=day.isoformat(), scheduled_time=hh_mm, **fields
                )
            )
            return len(items) - 1

        def follow(day: date, hh_mm: str, parent: int, delay: int) -> None:
            add(
                day,
                hh_mm,
                "ppv_followup",
                parent_item_index=parent,
                delay_minutes=delay,
                is_follow_up=True,
                channel_key="targeted_message",
            )

        for offset in range(7):
            day = self.week_start + timedelta(days=offset)
            if offset == 0:
                opener = "tip_goal" if page_type == "paid" else "ppv_wall"
                media = {} if opener == "tip_goal" else {"content_type": "lingerie", "flyer_required": 1}
                parent = add(day, "10:23", opener, price=20.0 if opener == "tip_goal" else 12.0, **media)
                follow(day, "10:51", parent, 28)
            parent = add(day, "12:07", "ppv_unlock", content_type="lingerie", price=15.0, flyer_required=1)
            follow(day, "12:35", parent, 28)
            add(day, "14:11", "bump_normal")
            add(day, "16:22", "link_drop")
            extra = extras[offset]
            extra_fields: dict[str, object] = {}
            if extra == "bundle":
                extra_fields = {"content_type": "solo", "price": 25.0, "flyer_required": 1}
            elif extra == "first_to_tip":
                extra_fields = {"flyer_required": 1}
            add(day, "17:37", extra, **extra_fields)
            parent = add(day, "19:41", "ppv_unlock", content_type="shower", price=18.0, flyer_required=1)
            follow(day, "20:09", parent, 28)
            add(day, "21:13", "renew_on_post" if page_type == "paid" else "bump_text_only")
        return items

    @staticmethod
    def without(items: Sequence[ScheduleItem], drop: Callable[[ScheduleItem], bool]) -> list[ScheduleItem]:
        """Remove items (and follow-ups whose parent is removed), renumbering parent indices."""
        removed = {i for i, it in enumerate(items) if drop(it)}
        removed |= {
            i
            for i, it in enumerate(items)
            if it.parent_item_index is not None and it.parent_item_index in removed
        }
        new_index: dict[int, int] = {}
        kept: list[ScheduleItem] = []
        for i, it in enumerate(items):
            if i not in removed:
                new_index[i] = len(kept)
                kept.append(it)
        return [
            it.model_copy(update={"parent_item_index": new_index[it.parent_item_index]})
            if it.parent_item_index is not None
            else it
            for it in kept
        ]

    @staticmethod
    def replace(items: Sequence[ScheduleItem], index: int, **changes: object) -> list[ScheduleItem]:
        changed = list(items)
        changed[index] = items[index].model_copy(update=changes)
        return changed


@pytest.fixture(scope="session")
def week() -> Week:
    return Week()
