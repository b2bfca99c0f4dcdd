"""A creator's mass-message history, read once and summarised (the analytics contract of interfaces.md).

Every history-derived number comes from the sends of the last 90 days before the clock's now;
the rows are eros.db.analyze's `load_history` (the one reader `eros analyze` uses too) and
the summaries are pure functions of those rows so profile, volume config and trends agree.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from eros.db.analyze import Send, history_mm_revenue
from eros.rules.health import HEALTH_WEEKS, SATURATION_WINDOW_DAYS, Health, assess_health
from eros.rules.tiers import MMRevenue
from eros.rules.timing import FATIGUE_WINDOW_DAYS

#: Weekly earnings reported (rolling 7-day weeks ending yesterday), more than health needs.
WEEKS_REPORTED = 12
#: MM-revenue confidence as the number the analytics contract carries.
CONFIDENCE_SCORE = {"high": 0.9, "medium": 0.6, "low": 0.3}


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _group_stats(sends: Sequence[Send], with_conversion: bool) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "sends": len(sends),
        "revenue_per_send": round(_ratio(sum(s.earnings for s in sends), len(sends)), 4),
    }
    if with_conversion:
        stats["conversion"] = round(_ratio(sum(s.purchased for s in sends), sum(s.sent for s in sends)), 4)
    return stats


def _by(sends: Iterable[Send], key: Any) -> dict[Any, list[Send]]:
    groups: dict[Any, list[Send]] = defaultdict(list)
    for send in sends:
        groups[key(send)].append(send)
    return groups


def weekly_totals(
    sends: Sequence[Send], today: date, value: Callable[[Send], float], weeks: int = WEEKS_REPORTED
) -> list[float]:
    """A per-send value summed over rolling 7-day weeks ending yesterday, oldest first."""
    totals = [0.0] * weeks
    for send in sends:
        index = (today - send.sent_date).days - 1
        if 0 <= index < weeks * 7:
            totals[index // 7] += value(send)
    return [round(v, 2) for v in reversed(totals)]


def weekly_earnings(sends: Sequence[Send], today: date) -> list[float]:
    """Full weeks' earnings before today, oldest first (DOMAIN §8 health input)."""
    return weekly_totals(sends, today, lambda s: s.earnings)


def sends_in_last(sends: Sequence[Send], today: date, days: int) -> list[Send]:
    """Sends dated from `today − days` on (the history already stops at the clock's now)."""
    start = today - timedelta(days=days)
    return [s for s in sends if start <= s.sent_date]


def creator_mm_revenue(sends: Sequence[Send], today: date, creator: dict[str, Any]) -> MMRevenue:
    """The creator's MM revenue as `eros analyze` computes it, from these sends."""
    return history_mm_revenue(((s.sent_date, s.earnings) for s in sends), creator, today)


def creator_health(sends: Sequence[Send], today: date) -> Health:
    weeks = weekly_earnings(sends, today)[-HEALTH_WEEKS:]
    return assess_health(weeks, len(sends_in_last(sends, today, SATURATION_WINDOW_DAYS)))


def fatigue_by_gap(sends: Sequence[Send]) -> dict[str, float]:
    """Revenue per send of a content type sent again after N days ÷ that type's mean (1.0 without data)."""
    ratios: dict[int, list[float]] = defaultdict(list)
    for group in _by((s for s in sends if s.content_type), lambda s: s.content_type).values():
        mean = _ratio(sum(s.earnings for s in group), len(group))
        if mean <= 0:
            continue
        for previous, current in itertools.pairwise(group):
            gap = (current.sent_date - previous.sent_date).days
            if 1 <= gap <= FATIGUE_WINDOW_DAYS:
                ratios[gap].append(current.earnings / mean)
    return {
        str(gap): round(_ratio(sum(ratios[gap]), len(ratios[gap])), 4) if ratios[gap] else 1.0
        for gap in range(1, FATIGUE_WINDOW_DAYS + 1)
    }


def analytics(sends: Sequence[Send], today: date, creator: dict[str, Any]) -> dict[str, Any]:
    """The analytics contract (interfaces.md): the shape the revenue model and the scoring read."""
    mm = creator_mm_revenue(sends, today, creator)
    sent = sum(s.sent for s in sends)
    purchased = sum(s.purchased for s in sends)
    earnings = sum(s.earnings for s in sends)
    by_hour = _by(sends, lambda s: s.sent_hour)
    by_weekday = _by(sends, lambda s: s.sent_date.weekday())
    priced = _by((s for s in sends if s.price is not None), lambda s: round(float(s.price or 0.0), 2))
    weeks = weekly_earnings(sends, today)
    return {
        "mm_revenue": mm.amount,
        "mm_revenue_source": mm.source.value,
        "mm_revenue_confidence": CONFIDENCE_SCORE[mm.confidence],
        "avg_revenue_per_purchase": round(_ratio(earnings, purchased), 2),
        "conversion_rate": round(_ratio(purchased, sent), 4),
        "open_rate": round(_ratio(sum(s.viewed for s in sends), sent), 4),
        "performance_by_hour": {str(h): _group_stats(by_hour.get(h, []), False) for h in range(24)},
        "performance_by_weekday": {str(d): _group_stats(by_weekday.get(d, []), False) for d in range(7)},
        "performance_by_send_type": {
            key: _group_stats(group, True) for key, group in sorted(_by(sends, lambda s: s.send_type).items())
        },
        "performance_by_content_type": {
            key: _group_stats(group, True)
            for key, group in sorted(
                _by((s for s in sends if s.content_type), lambda s: s.content_type).items()
            )
        },
        "fatigue_by_gap_days": fatigue_by_gap(sends),
        "price_points": [
            {"price": price, **_group_stats(group, True)} for price, group in sorted(priced.items())
        ],
        "weekly_earnings": weeks,
        "avg_weekly_revenue": round(_ratio(sum(weeks), len(weeks)), 2),
    }
