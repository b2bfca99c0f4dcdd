"""Prices and the adjustment stack (DOMAIN §6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from eros.rules.rounding import clamp, round_half_up

PRICE_FLOOR = 5.0
PRICE_CEILING = 50.0
DEFAULT_BASE_PRICE = 15.0
#: Below this many fans, or with an A/B price test running, the base price is used as is.
MIN_FANS_FOR_OPTIMISATION = 1000
PREDICTION_MIN_CONFIDENCE = 0.6
SCARCITY_DAYS = 14

#: (ratio of predicted revenue per send to the creator's median, adjustment), checked in order.
PREDICTION_STEPS: tuple[tuple[float, float], ...] = ((1.5, 0.25), (1.2, 0.15), (1.0, 0.10))
PREDICTION_LOW_RATIO = 0.7
PREDICTION_LOW_ADJ = -0.10
WEEKEND_EVENING_ADJ = 0.15
WEEKDAY_MORNING_ADJ = -0.10
SCARCITY_ADJ = 0.20
TOP_TIER_ADJ = 0.15
FRESH_CAPTION_ADJ = 0.10
BUNDLE_ADJ = -0.15

#: Typical ranges a scheduler expects per priced type (soft; scored, not gated).
TYPICAL_RANGES: dict[str, tuple[float, float]] = {
    "ppv_unlock": (8.0, 25.0),
    "ppv_wall": (5.0, 15.0),
    "tip_goal": (10.0, 50.0),
    "bundle": (15.0, 40.0),
    "flash_bundle": (12.0, 35.0),
}


@dataclass(frozen=True, slots=True)
class PriceInputs:
    base: float
    day: date
    send_time: time
    predicted_ratio: float | None = None
    prediction_confidence: float = 0.0
    days_since_content_used: int | None = None
    top_tier_content: bool = False
    fresh_caption: bool = False
    is_bundle: bool = False
    fan_count: int = 0
    ab_test_running: bool = False


def base_price(creator_base: float | None, caption_suggested: float | None) -> float:
    return creator_base or caption_suggested or DEFAULT_BASE_PRICE


def adjustments(inputs: PriceInputs) -> dict[str, float]:
    """Each adjustment that applies, by name; they add up before multiplying the base."""
    adj: dict[str, float] = {}
    ratio = inputs.predicted_ratio
    if ratio is not None and inputs.prediction_confidence >= PREDICTION_MIN_CONFIDENCE:
        step = next((a for threshold, a in PREDICTION_STEPS if ratio > threshold), None)
        if step is not None:
            adj["prediction"] = step
        elif ratio < PREDICTION_LOW_RATIO:
            adj["prediction"] = PREDICTION_LOW_ADJ
    weekday = inputs.day.weekday()
    if weekday >= 4 and 18 <= inputs.send_time.hour < 22:
        adj["weekend_evening"] = WEEKEND_EVENING_ADJ
    if weekday <= 4 and 6 <= inputs.send_time.hour < 10:
        adj["weekday_morning"] = WEEKDAY_MORNING_ADJ
    if inputs.days_since_content_used is None or inputs.days_since_content_used >= SCARCITY_DAYS:
        adj["scarcity"] = SCARCITY_ADJ
    if inputs.top_tier_content:
        adj["performance"] = TOP_TIER_ADJ
    if inputs.fresh_caption:
        adj["freshness"] = FRESH_CAPTION_ADJ
    if inputs.is_bundle:
        adj["bundle"] = BUNDLE_ADJ
    return adj


def optimisation_allowed(fan_count: int, ab_test_running: bool) -> bool:
    return fan_count >= MIN_FANS_FOR_OPTIMISATION and not ab_test_running


def price(inputs: PriceInputs) -> float:
    """clamp(round(base × (1 + Σ adj)), 5, 50); the base alone for small pages or a running A/B test."""
    total = (
        sum(adjustments(inputs).values())
        if optimisation_allowed(inputs.fan_count, inputs.ab_test_running)
        else 0.0
    )
    return clamp(round_half_up(inputs.base * (1 + total)), PRICE_FLOOR, PRICE_CEILING)


def in_bounds(value: float) -> bool:
    return PRICE_FLOOR <= value <= PRICE_CEILING


def typical_range(send_type: str) -> tuple[float, float]:
    """The range a scheduler expects for the type; the hard bounds for types without one."""
    return TYPICAL_RANGES.get(send_type, (PRICE_FLOOR, PRICE_CEILING))


def in_typical_range(send_type: str, value: float) -> bool:
    low, high = typical_range(send_type)
    return low <= value <= high
