"""Phase 5 — caption selection (v3 Ph 3 `caption-selection-pro`, Python `CaptionMatcher`, §2.6).

Captions are fetched per slot, as the old selector did: a media slot first gets its content
type from the earnings rotation (PPV through the best ten types, other media through all usable
types, no type twice a day while another is left) and then `get_batch_captions_by_content_types`
for that type; any other slot asks `get_send_type_captions` for its send type. Each candidate
gets the matcher's composite score; the fallback ladder L1…L5 picks, L6 leaves the slot for a
person. Freshness has the rulebook's one definition (never used by this creator, or ≥ 90 days).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from eros.legacy.constants import (
    CAPTION_WEIGHTS,
    CAPTIONS_PER_SLOT,
    LADDER,
    MANUAL_LEVEL,
    PERSONA_LENGTH_TOLERANCE,
    PERSONA_MATCH,
    PERSONA_MISMATCH,
    PERSONA_UNKNOWN,
    PPV_ROTATION_SIZE,
    TYPE_PRIORITY_SCORES,
)
from eros.legacy.state import Allocation, CaptionPlan, Performance, Slot
from eros.models import CaptionOption, CreatorContext
from eros.ports import ToolClient
from eros.rules.captions import (
    FRESH_AFTER_DAYS,
    MAX_CAPTIONS_PER_CONTENT_TYPE,
    MAX_CAPTIONS_PER_SEND_TYPE,
    TIER_SCORES,
    slot_class,
)
from eros.rules.send_types import PPV_TYPES, get_send_type


def freshness_score(option: CaptionOption) -> float:
    """100 for a caption this creator never used or last used ≥ 90 days ago, less the more recent."""
    if option.days_since_used is None:
        return 100.0
    return round(min(1.0, option.days_since_used / FRESH_AFTER_DAYS) * 100, 1)


def type_priority(option: CaptionOption, send_type: str) -> float:
    own, same_class, other = TYPE_PRIORITY_SCORES
    if option.send_type == send_type:
        return own
    return same_class if slot_class(option.send_type) == slot_class(send_type) else other


def diversity_score(times_used_here: int) -> float:
    if times_used_here == 0:
        return 100.0
    if times_used_here < 5:
        return 100.0 - 10 * times_used_here
    return max(20.0, 100.0 - 8 * times_used_here)


def persona_fit(option: CaptionOption, persona: Mapping[str, Any]) -> float:
    """The persona's average caption length is its voice the data knows; near it fits."""
    average = persona.get("avg_caption_length")
    if not average:
        return PERSONA_UNKNOWN
    off = abs(len(option.caption_text) - float(average)) / float(average)
    return PERSONA_MATCH if off <= PERSONA_LENGTH_TOLERANCE else PERSONA_MISMATCH


def components(
    option: CaptionOption, send_type: str, used: Mapping[int, int], persona: Mapping[str, Any]
) -> dict[str, float]:
    return {
        "freshness": freshness_score(option),
        "performance": float(TIER_SCORES.get(option.performance_tier, 0)),
        "type_priority": type_priority(option, send_type),
        "diversity": diversity_score(used.get(option.caption_id, 0)),
        "persona": persona_fit(option, persona),
    }


def composite(parts: Mapping[str, float]) -> float:
    return round(sum(CAPTION_WEIGHTS[name] * value for name, value in parts.items()), 2)


def choose(
    options: Sequence[CaptionOption], send_type: str, used: Mapping[int, int], persona: Mapping[str, Any]
) -> tuple[CaptionOption | None, str, float]:
    """The best candidate on the first ladder level that has one; (None, L6, 0) for a person to fill."""
    scored = [(option, components(option, send_type, used, persona)) for option in options]
    for level, min_performance, min_freshness, may_reuse in LADDER:
        eligible = [
            (composite(parts), option)
            for option, parts in scored
            if (min_performance == 0 or parts["performance"] > min_performance)
            and (min_freshness == 0 or parts["freshness"] > min_freshness)
            and (may_reuse or used.get(option.caption_id, 0) == 0)
        ]
        if eligible:
            score, option = max(eligible, key=lambda pair: (pair[0], -pair[1].caption_id))
            return option, level, score
    return None, MANUAL_LEVEL, 0.0


class ContentRotation:
    """Which content type a media slot shows: PPV through the top ten, others through all usable types."""

    def __init__(self, ranking: Sequence[str]) -> None:
        self.ppv = list(ranking[:PPV_ROTATION_SIZE])
        self.other = list(ranking)
        self.position: Counter[str] = Counter()
        self.shown: dict[date, set[str]] = defaultdict(set)

    def next(self, send_type: str, day: date) -> str | None:
        group = "ppv" if send_type in PPV_TYPES else "other"
        pool = self.ppv if group == "ppv" else self.other
        if not pool:
            return None
        start = self.position[group]
        order = [pool[(start + i) % len(pool)] for i in range(len(pool))]
        pick = next((name for name in order if name not in self.shown[day]), order[0])
        self.position[group] = pool.index(pick) + 1
        self.shown[day].add(pick)
        return pick


def options_from(rows: Sequence[Mapping[str, Any]]) -> list[CaptionOption]:
    return [CaptionOption.model_validate(row) for row in rows]


async def fetch_for_slot(
    client: ToolClient, creator_id: str, slot: Slot, content_type: str | None, already: int
) -> list[CaptionOption]:
    """One call per slot; the limit grows with the captions this week already took from the pool."""
    if content_type is not None:
        arguments: dict[str, Any] = {
            "creator_id": creator_id,
            "content_types": [content_type],
            "limit_per_type": min(MAX_CAPTIONS_PER_CONTENT_TYPE, CAPTIONS_PER_SLOT + already),
        }
        kind = slot_class(slot.send_type)
        if kind is not None:
            arguments["schedulable_type"] = kind
        answer = await client.call_tool("get_batch_captions_by_content_types", arguments)
        group = (answer.get("captions_by_type") or {}).get(content_type) or {}
        return options_from(group.get("captions") or [])
    answer = await client.call_tool(
        "get_send_type_captions",
        {
            "creator_id": creator_id,
            "send_type": slot.send_type,
            "limit": min(MAX_CAPTIONS_PER_SEND_TYPE, CAPTIONS_PER_SLOT + already),
        },
    )
    return options_from(answer.get("captions") or [])


async def select(
    client: ToolClient, context: CreatorContext, performance: Performance, allocation: Allocation
) -> tuple[CaptionPlan, tuple[CaptionOption, ...]]:
    """Every slot with its content type and caption, plus every caption the calls returned."""
    rotation = ContentRotation(performance.content_ranking)
    used: Counter[int] = Counter()
    taken: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    seen: dict[int, CaptionOption] = {}
    slots = []
    warnings = []
    for slot in allocation.slots:
        needs_media = get_send_type(slot.send_type).requires_media
        content = rotation.next(slot.send_type, slot.day) if needs_media else None
        pool_key = content or slot.send_type
        options = await fetch_for_slot(client, context.creator_id, slot, content, taken[pool_key])
        seen.update((o.caption_id, o) for o in options)
        caption, level, score = choose(options, slot.send_type, used, context.persona)
        levels[level] += 1
        if caption is not None:
            used[caption.caption_id] += 1
            taken[pool_key] += 1
        else:
            warnings.append(f"{slot.day} {slot.send_type}: no caption available, needs a person ({level})")
        slots.append(
            replace(slot, content_type=content, caption=caption, caption_level=level, caption_score=score)
        )
    return CaptionPlan(slots=tuple(slots), levels=dict(levels), warnings=tuple(warnings)), tuple(
        seen.values()
    )
