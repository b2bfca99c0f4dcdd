"""Expected revenue of one send, fitted from the creator's own 90-day history (context.analytics).

The model is multiplicative around the creator's mean revenue per send `μ`:

    E[revenue] = μ × F(send type) × H(hour) × W(weekday) × C(content type) × P(price) × fatigue(gap)

Every factor is a ratio to `μ` estimated from the matching `performance_by_*` table and shrunk
towards its prior in proportion to how little data backs it: with `n` sends observed at revenue per
send `r`, the estimate is `(n·r + k·prior) / (n + k)` with `k = PRIOR_SENDS`. Send types shrink
towards their category's mean (itself shrunk towards CATEGORY_PRIOR × μ); hours, weekdays and
content types shrink towards μ (factor 1). `P` is a power law `(price / reference)^elasticity`
fitted by weighted least squares on `price_points` and shrunk towards 0 (price-neutral). `fatigue`
is the history's `fatigue_by_gap_days` ratio when a content type repeats within a week (capped at
1: repeating never earns more). Everything is a pure function of the analytics mapping, so the
same history gives the same model.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eros.rules.pricing import DEFAULT_BASE_PRICE
from eros.rules.send_types import SEND_TYPES, Category
from eros.rules.timing import FATIGUE_WINDOW_DAYS

#: Pseudo-sends of prior weight behind every shrunk estimate.
PRIOR_SENDS = 20.0
#: Revenue per send of a category relative to μ when the history has no send of it (a model prior:
#: engagement and retention sends earn mostly indirectly).
CATEGORY_PRIOR: dict[Category, float] = {
    Category.REVENUE: 1.0,
    Category.ENGAGEMENT: 0.25,
    Category.RETENTION: 0.4,
}
#: Fatigue when a content type is sent again after 0..7 days and the history says nothing.
PRIOR_FATIGUE: tuple[float, ...] = (0.6, 0.7, 0.8, 0.88, 0.94, 0.97, 1.0, 1.0)
FATIGUE_FLOOR = 0.2
#: Elasticity of revenue per send with price is kept inside this band, and so is its factor.
ELASTICITY_BOUND = 1.0
PRICE_FACTOR_BOUNDS = (0.5, 2.0)
#: Regulariser of the elasticity fit (in units of Σ n·x²): pulls thin price data towards neutral.
ELASTICITY_RIDGE = 5.0
#: μ when the history is empty and no summary number helps either.
FALLBACK_MEAN_RPS = 1.0


def _stats(table: Any) -> dict[str, tuple[int, float]]:
    """`{key: (sends, revenue_per_send)}` from a `performance_by_*` mapping, ignoring malformed rows."""
    out: dict[str, tuple[int, float]] = {}
    if not isinstance(table, Mapping):
        return out
    for key, row in table.items():
        if isinstance(row, Mapping):
            sends = int(row.get("sends") or 0)
            rps = float(row.get("revenue_per_send") or 0.0)
            if sends > 0 and rps >= 0:
                out[str(key)] = (sends, rps)
    return out


def _shrink(sends: int, rps: float, prior: float, strength: float = PRIOR_SENDS) -> float:
    return (sends * rps + strength * prior) / (sends + strength)


@dataclass(frozen=True, slots=True)
class RevenueModel:
    """Fitted factors; `expected()` answers in USD per send."""

    mean_rps: float
    median_rps: float
    confidence: float
    send_type_factor: Mapping[str, float]
    category_factor: Mapping[Category, float]
    content_factor: Mapping[str, float]
    hour_factor: tuple[float, ...]
    weekday_factor: tuple[float, ...]
    reference_price: float
    elasticity: float
    fatigue: tuple[float, ...]
    sends_observed: int = 0
    notes: tuple[str, ...] = field(default=())

    def type_factor(self, send_type: str) -> float:
        if send_type in self.send_type_factor:
            return self.send_type_factor[send_type]
        category = SEND_TYPES[send_type].category if send_type in SEND_TYPES else Category.ENGAGEMENT
        return self.category_factor[category]

    def price_factor(self, price: float | None) -> float:
        if price is None or price <= 0 or self.reference_price <= 0:
            return 1.0
        low, high = PRICE_FACTOR_BOUNDS
        factor: float = (price / self.reference_price) ** self.elasticity
        return min(high, max(low, factor))

    def fatigue_factor(self, gap_days: int | None) -> float:
        """Multiplier for a content type last sent `gap_days` days before (None: not within a week)."""
        if gap_days is None or gap_days > FATIGUE_WINDOW_DAYS:
            return 1.0
        return self.fatigue[max(0, gap_days)]

    def content(self, content_type: str | None) -> float:
        if content_type is None:
            return 1.0
        return self.content_factor.get(content_type, 1.0)

    def expected(
        self,
        send_type: str,
        *,
        weekday: int,
        hour: int,
        content_type: str | None = None,
        price: float | None = None,
        gap_days: int | None = None,
    ) -> float:
        """Expected earnings of one send (USD)."""
        return (
            self.mean_rps
            * self.type_factor(send_type)
            * self.hour_factor[hour % 24]
            * self.weekday_factor[weekday % 7]
            * self.content(content_type)
            * self.price_factor(price)
            * self.fatigue_factor(gap_days)
        )

    def predicted_ratio(self, expected_before_price: float) -> float:
        """Prediction against the creator's median revenue per send (DOMAIN §6 'prediction')."""
        return expected_before_price / self.median_rps if self.median_rps > 0 else 1.0


def _mean_rps(analytics: Mapping[str, Any], by_type: dict[str, tuple[int, float]]) -> tuple[float, int]:
    for table in (by_type, _stats(analytics.get("performance_by_hour"))):
        sends = sum(n for n, _ in table.values())
        if sends:
            return sum(n * r for n, r in table.values()) / sends, sends
    rpp = float(analytics.get("avg_revenue_per_purchase") or 0.0)
    conversion = float(analytics.get("conversion_rate") or 0.0)
    if rpp > 0 and conversion > 0:
        return rpp * conversion, 0
    return FALLBACK_MEAN_RPS, 0


def _factors(table: dict[str, tuple[int, float]], mean: float, keys: range) -> tuple[float, ...]:
    return tuple(_shrink(*table[str(k)], prior=mean) / mean if str(k) in table else 1.0 for k in keys)


def _elasticity(points: Any, mean: float) -> tuple[float, float]:
    """(reference price, elasticity) from `price_points` by weighted least squares on logs."""
    rows = [
        (float(p["price"]), int(p.get("sends") or 0), float(p.get("revenue_per_send") or 0.0))
        for p in (points if isinstance(points, list) else [])
        if isinstance(p, Mapping) and float(p.get("price") or 0) > 0 and int(p.get("sends") or 0) > 0
    ]
    if not rows:
        return DEFAULT_BASE_PRICE, 0.0
    total = sum(n for _, n, _ in rows)
    reference = math.exp(sum(n * math.log(p) for p, n, _ in rows) / total)
    ref_rps = sum(n * r for _, n, r in rows) / total
    if ref_rps <= 0:
        return reference, 0.0
    num = den = 0.0
    for p, n, r in rows:
        x = math.log(p / reference)
        y = math.log(max(_shrink(n, r, ref_rps), 1e-9) / ref_rps)
        num += n * x * y
        den += n * x * x
    slope = num / (den + ELASTICITY_RIDGE) if den > 0 else 0.0
    return reference, max(-ELASTICITY_BOUND, min(ELASTICITY_BOUND, slope))


def _fatigue(table: Any) -> tuple[float, ...]:
    """The history's ratios by gap, made non-decreasing in the gap (a longer rest never tires more).

    The ratios mix send types and are noisy; pool-adjacent-violators gives the closest curve that
    rises with the gap, capped at 1 (repeating never earns more) and floored at FATIGUE_FLOOR.
    """
    values = list(PRIOR_FATIGUE)
    if isinstance(table, Mapping):
        for gap in range(1, FATIGUE_WINDOW_DAYS + 1):
            raw = table.get(str(gap))
            if isinstance(raw, int | float) and raw > 0:
                values[gap] = min(1.0, max(FATIGUE_FLOOR, float(raw)))
    # Same-day repeats are at least as tiring as next-day ones.
    values[0] = min(values[0], values[1])
    return tuple(_isotonic(values))


def _isotonic(values: list[float]) -> list[float]:
    """Least-squares non-decreasing fit (pool adjacent violators), equal weights."""
    blocks: list[list[float]] = []  # [mean, size]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean2, size2 = blocks.pop()
            mean1, size1 = blocks.pop()
            blocks.append([(mean1 * size1 + mean2 * size2) / (size1 + size2), size1 + size2])
    out: list[float] = []
    for mean, size in blocks:
        out.extend([mean] * int(size))
    return out


def fit(analytics: Mapping[str, Any]) -> RevenueModel:
    """Fit the model from the analytics contract (interfaces.md); an empty mapping gives a flat model."""
    by_type = _stats(analytics.get("performance_by_send_type"))
    mean, observed = _mean_rps(analytics, by_type)
    mean = mean if mean > 0 else FALLBACK_MEAN_RPS
    category_factor: dict[Category, float] = {}
    for category in Category:
        rows = [v for k, v in by_type.items() if k in SEND_TYPES and SEND_TYPES[k].category is category]
        sends = sum(n for n, _ in rows)
        rps = sum(n * r for n, r in rows) / sends if sends else 0.0
        category_factor[category] = _shrink(sends, rps, CATEGORY_PRIOR[category] * mean) / mean
    type_factor = {
        key: _shrink(n, r, category_factor[SEND_TYPES[key].category] * mean) / mean
        for key, (n, r) in sorted(by_type.items())
        if key in SEND_TYPES
    }
    # Content factors are relative to sends that carry content (mostly revenue sends), not to μ:
    # the send type's factor already says how much more a PPV earns than a bump.
    by_content = _stats(analytics.get("performance_by_content_type"))
    content_sends = sum(n for n, _ in by_content.values())
    content_mean = sum(n * r for n, r in by_content.values()) / content_sends if content_sends else 0.0
    content = (
        {key: _shrink(n, r, content_mean) / content_mean for key, (n, r) in sorted(by_content.items())}
        if content_mean > 0
        else {}
    )
    reference, elasticity = _elasticity(analytics.get("price_points"), mean)
    # The median a priced send is compared with (DOMAIN §6 'prediction'): over revenue send types.
    per_type_rps = [
        mean * f for k, f in type_factor.items() if SEND_TYPES[k].category is Category.REVENUE
    ] or [mean]
    notes = () if observed else ("no send history: flat model around a fallback mean",)
    return RevenueModel(
        mean_rps=mean,
        median_rps=statistics.median(per_type_rps),
        confidence=float(analytics.get("mm_revenue_confidence") or 0.0),
        send_type_factor=type_factor,
        category_factor=category_factor,
        content_factor=content,
        hour_factor=_factors(_stats(analytics.get("performance_by_hour")), mean, range(24)),
        weekday_factor=_factors(_stats(analytics.get("performance_by_weekday")), mean, range(7)),
        reference_price=reference,
        elasticity=elasticity,
        fatigue=_fatigue(analytics.get("fatigue_by_gap_days")),
        sends_observed=observed,
        notes=notes,
    )
