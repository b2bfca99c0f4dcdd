"""Phase 3 — performance analysis (v3 Ph 1 `performance-analyst`, §2.3–2.4).

Three trend calls (7, 14 and 30 days) fused into one saturation/opportunity pair, a
confidence from the message count, trigger detection with the rulebook's detector, and the
usable content types ranked for the PPV rotation. Detected triggers steer this run only: the
old analyst persisted them, but a run that writes trigger rows would change the next run's
input (ARCHITECTURE D2) and a shadow run's side effects (D5).
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import median
from typing import Any

from eros.legacy.constants import (
    CONFIDENCE_BY_MESSAGES,
    CONTENT_TIER_WEIGHTS,
    DIVERGENCE_POINTS,
    DIVERGENT_WEIGHTS,
    HORIZON_DAYS,
    HORIZON_WEIGHTS,
    HORIZONS,
    MIN_CONFIDENCE,
    NEUTRAL_SCORE,
    UNRANKED_WEIGHT,
)
from eros.legacy.state import Performance
from eros.models import CreatorContext
from eros.ports import ToolClient
from eros.rules.health import SATURATION_FULL_SENDS, SATURATION_WINDOW_DAYS
from eros.rules.triggers import ContentSignals, DetectedTrigger, compound, detect


async def fetch_horizons(client: ToolClient, creator_id: str) -> dict[str, Mapping[str, Any]]:
    """One `get_performance_trends` call per horizon, as the old analyst made them."""
    return {
        period: await client.call_tool("get_performance_trends", {"creator_id": creator_id, "period": period})
        for period in HORIZONS
    }


def horizon_scores(answer: Mapping[str, Any]) -> dict[str, float] | None:
    """Saturation (sends against the rulebook's two a day over the period), opportunity and sends.

    None when the period has no sends: that horizon then gives its weight to the others.
    """
    sends = int(answer.get("total_sends") or 0)
    days = HORIZON_DAYS.get(str(answer.get("period")), 0)
    if not sends or not days:
        return None
    per_day = SATURATION_FULL_SENDS / SATURATION_WINDOW_DAYS
    saturation = min(100.0, sends / (days * per_day) * 100)
    return {
        "saturation": round(saturation, 1),
        "opportunity": round(100 - saturation, 1),
        "sends": float(sends),
    }


def fuse(horizons: Mapping[str, Mapping[str, float] | None]) -> tuple[float, float, bool]:
    """Weighted saturation/opportunity; divergence between 7 and 30 days shifts weight to 7 days.

    Missing horizons give their weight to the others; no data at all is neutral (50/50).
    """
    present = {p: h for p, h in horizons.items() if h is not None}
    if not present:
        return NEUTRAL_SCORE, NEUTRAL_SCORE, False
    short, long_ = present.get("7d"), present.get("30d")
    divergence = bool(
        short
        and long_
        and max(
            abs(short["saturation"] - long_["saturation"]), abs(short["opportunity"] - long_["opportunity"])
        )
        >= DIVERGENCE_POINTS
    )
    weights = DIVERGENT_WEIGHTS if divergence else HORIZON_WEIGHTS
    total = sum(weights[p] for p in present)
    saturation = sum(weights[p] / total * h["saturation"] for p, h in present.items())
    opportunity = sum(weights[p] / total * h["opportunity"] for p, h in present.items())
    return round(saturation, 1), round(opportunity, 1), divergence


def confidence(messages: int, horizons_available: int) -> float:
    """Confidence from the message count (§2.4), scaled by the share of horizons with data."""
    base = next((c for floor, c in CONFIDENCE_BY_MESSAGES if messages >= floor), MIN_CONFIDENCE)
    return round(base * max(horizons_available, 1) / len(HORIZONS), 2)


def detect_triggers(context: CreatorContext) -> tuple[DetectedTrigger, ...]:
    """The rulebook's detector over the rankings, for content types with no active trigger yet."""
    active = {t.content_type for t in context.triggers}
    found = []
    for ranking in context.rankings:
        if ranking.content_type in active or ranking.content_type in context.avoid_types:
            continue
        hit = detect(ContentSignals(ranking.content_type, ranking.conversion, ranking.sends_30d))
        if hit is not None:
            found.append(hit)
    return tuple(found)


def rank_content(
    context: CreatorContext, detected: tuple[DetectedTrigger, ...]
) -> tuple[tuple[str, ...], dict[str, float]]:
    """Usable content types (vault minus AVOID) by tier weight × trigger multiplier × revenue per send."""
    usable = sorted(set(context.vault_types) - set(context.avoid_types))
    by_type = {r.content_type: r for r in context.rankings}
    rps_values = [r.revenue_per_send for r in context.rankings if r.revenue_per_send > 0]
    typical = median(rps_values) if rps_values else 1.0
    multipliers = compound(
        [
            *((t.content_type, t.multiplier) for t in context.triggers),
            *((d.content_type, d.multiplier) for d in detected),
        ]
    ).per_content_type
    weights: dict[str, float] = {}
    for name in usable:
        ranking = by_type.get(name)
        tier_weight = (
            CONTENT_TIER_WEIGHTS.get(ranking.performance_tier, UNRANKED_WEIGHT)
            if ranking
            else UNRANKED_WEIGHT
        )
        rps = ranking.revenue_per_send if ranking and ranking.revenue_per_send > 0 else typical
        weights[name] = round(tier_weight * multipliers.get(name, 1.0) * rps, 4)
    ranked = tuple(sorted(usable, key=lambda name: (-weights[name], name)))
    return ranked, weights


def analyze(context: CreatorContext, answers: Mapping[str, Mapping[str, Any]]) -> Performance:
    horizons = {period: horizon_scores(answers.get(period, {})) for period in HORIZONS}
    saturation, opportunity, divergence = fuse(horizons)
    longest = next((h for p in reversed(HORIZONS) if (h := horizons[p]) is not None), None)
    messages = int(longest["sends"]) if longest else 0
    detected = detect_triggers(context)
    ranked, weights = rank_content(context, detected)
    return Performance(
        saturation=saturation,
        opportunity=opportunity,
        confidence=confidence(messages, sum(h is not None for h in horizons.values())),
        divergence=divergence,
        horizons={p: dict(h) for p, h in horizons.items() if h is not None},
        content_ranking=ranked,
        content_weights=weights,
        detected_triggers=detected,
    )
