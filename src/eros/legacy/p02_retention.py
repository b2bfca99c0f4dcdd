"""Phase 2 — retention-risk analysis (v3 Ph 0.5 `retention-risk-analyzer`, §2.11).

A weighted churn score 0–100 from what the trends and analytics expose. Login, reply and
rebill signals are not in the data the tools return, so those components score 0 and say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eros.legacy.constants import (
    ENGAGEMENT_DECLINE_FULL,
    FATIGUE_SHARE,
    LOW_RISK_TIER,
    PURCHASE_DECLINE_FULL,
    RISK_TIERS,
    RISK_WEIGHTS,
)
from eros.legacy.state import RetentionRisk
from eros.models import CreatorContext
from eros.rules.rounding import clamp


def trend_change(trends: Mapping[str, Any], key: str) -> float | None:
    """A week-over-week change as a fraction (None when the trends call could not compute it)."""
    value = trends.get(key)
    return float(value) if isinstance(value, int | float) else None


def decline_score(change: float | None, full_at: float) -> float:
    """0 when flat or rising, 100 at (or beyond) the drop the rule calls a decline, linear between."""
    if change is None or change >= 0:
        return 0.0
    return round(clamp(change / full_at, 0.0, 1.0) * 100, 1)


def content_fatigue(analytics: Mapping[str, Any]) -> float:
    """100 when one content type carries more than half of the sends (the same types over and over)."""
    by_type = analytics.get("performance_by_content_type") or {}
    sends = [int(stats.get("sends", 0)) for stats in by_type.values()]
    total = sum(sends)
    return 100.0 if total and max(sends) / total > FATIGUE_SHARE else 0.0


def risk_tier(score: float) -> tuple[str, int]:
    for floor, tier, extra in RISK_TIERS:
        if score > floor:
            return tier, extra
    return LOW_RISK_TIER, 0


def analyze(context: CreatorContext) -> RetentionRisk:
    trends = context.trends
    components = {
        "engagement_decline": decline_score(
            trend_change(trends, "views_wow_change"), ENGAGEMENT_DECLINE_FULL
        ),
        "purchase_decline": decline_score(trend_change(trends, "revenue_wow_change"), PURCHASE_DECLINE_FULL),
        "reply_decline": 0.0,
        "login_decline": 0.0,
        "rebill_window": 0.0,
        "content_fatigue": content_fatigue(context.analytics),
    }
    score = round(sum(RISK_WEIGHTS[name] * value for name, value in components.items()), 1)
    tier, extra = risk_tier(score)
    return RetentionRisk(score=score, tier=tier, components=components, extra_retention_per_day=extra)
