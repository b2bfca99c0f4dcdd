"""Volume triggers: detection, confidence and compounding (DOMAIN §7)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from eros.rules.rounding import clamp


class TriggerType(StrEnum):
    HIGH_PERFORMER = "HIGH_PERFORMER"
    EMERGING_WINNER = "EMERGING_WINNER"
    TRENDING_UP = "TRENDING_UP"
    SATURATING = "SATURATING"
    AUDIENCE_FATIGUE = "AUDIENCE_FATIGUE"


TRIGGER_MULTIPLIERS: dict[TriggerType, float] = {
    TriggerType.HIGH_PERFORMER: 1.20,
    TriggerType.EMERGING_WINNER: 1.30,
    TriggerType.TRENDING_UP: 1.10,
    TriggerType.SATURATING: 0.85,
    TriggerType.AUDIENCE_FATIGUE: 0.75,
}
MULTIPLIER_MIN = 0.50
MULTIPLIER_MAX = 2.00
DEFAULT_TTL_DAYS = 7
HIGH_PERFORMER_CONVERSION = 0.06
EMERGING_CONVERSION = 0.05
EMERGING_MAX_SENDS_30D = 3
TRENDING_WOW = 0.15
SATURATING_DECLINE_DAYS = 3
FATIGUE_OPEN_RATE_DROP = -0.10
CONFIDENCE_RANK = {"low": 0, "moderate": 1, "high": 2}


@dataclass(frozen=True, slots=True)
class ContentSignals:
    """What detection looks at for one content type."""

    content_type: str
    conversion: float
    sends_30d: int
    revenue_wow_change: float | None = None
    conversion_declining_days: int = 0
    open_rate_change_7d: float | None = None


@dataclass(frozen=True, slots=True)
class DetectedTrigger:
    content_type: str
    trigger_type: TriggerType
    multiplier: float
    confidence: str
    reason: str


def confidence_for_sends(sends: int) -> str:
    if sends > 10:
        return "high"
    if sends >= 5:
        return "moderate"
    return "low"


def higher_confidence(old: str, new: str) -> str:
    """Re-detection only ever raises confidence, by rank low < moderate < high."""
    return old if CONFIDENCE_RANK.get(old, 0) >= CONFIDENCE_RANK.get(new, 0) else new


def detect(signals: ContentSignals) -> DetectedTrigger | None:
    """First match in rulebook order; at most one trigger per content type per detection."""
    checks: list[tuple[TriggerType, bool, str]] = [
        (
            TriggerType.HIGH_PERFORMER,
            signals.conversion >= HIGH_PERFORMER_CONVERSION,
            f"conversion {signals.conversion:.1%} ≥ 6%",
        ),
        (
            TriggerType.EMERGING_WINNER,
            signals.conversion >= EMERGING_CONVERSION and signals.sends_30d < EMERGING_MAX_SENDS_30D,
            f"conversion {signals.conversion:.1%} ≥ 5% on {signals.sends_30d} sends in 30 days",
        ),
        (
            TriggerType.TRENDING_UP,
            signals.revenue_wow_change is not None and signals.revenue_wow_change >= TRENDING_WOW,
            f"revenue week over week {signals.revenue_wow_change or 0:+.0%}",
        ),
        (
            TriggerType.SATURATING,
            signals.conversion_declining_days >= SATURATING_DECLINE_DAYS,
            f"conversion declining {signals.conversion_declining_days} days in a row",
        ),
        (
            TriggerType.AUDIENCE_FATIGUE,
            signals.open_rate_change_7d is not None and signals.open_rate_change_7d <= FATIGUE_OPEN_RATE_DROP,
            f"open rate {signals.open_rate_change_7d or 0:+.0%} over 7 days",
        ),
    ]
    for trigger_type, hit, reason in checks:
        if hit:
            return DetectedTrigger(
                content_type=signals.content_type,
                trigger_type=trigger_type,
                multiplier=TRIGGER_MULTIPLIERS[trigger_type],
                confidence=confidence_for_sends(signals.sends_30d),
                reason=reason,
            )
    return None


def multiplier_in_bounds(value: float) -> bool:
    return MULTIPLIER_MIN <= value <= MULTIPLIER_MAX


@dataclass(frozen=True, slots=True)
class Compound:
    per_content_type: dict[str, float]
    global_multiplier: float
    conflicts: tuple[str, ...] = field(default=())

    @property
    def has_conflicting_signals(self) -> bool:
        return bool(self.conflicts)


def compound(triggers: Iterable[tuple[str, float]]) -> Compound:
    """Multiply per content type and clamp; the global product is clamped again.

    A content type with both a boost and a reduction is flagged as conflicting.
    """
    per_type: dict[str, float] = {}
    boosts: set[str] = set()
    cuts: set[str] = set()
    for content_type, multiplier in triggers:
        per_type[content_type] = per_type.get(content_type, 1.0) * multiplier
        (boosts if multiplier > 1 else cuts if multiplier < 1 else set()).add(content_type)
    clamped = {ct: round(clamp(m, MULTIPLIER_MIN, MULTIPLIER_MAX), 4) for ct, m in sorted(per_type.items())}
    product = 1.0
    for value in clamped.values():
        product *= value
    return Compound(
        per_content_type=clamped,
        global_multiplier=round(clamp(product, MULTIPLIER_MIN, MULTIPLIER_MAX), 4),
        conflicts=tuple(sorted(boosts & cuts)),
    )
