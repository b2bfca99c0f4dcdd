"""A creator's history by content type: rankings TOP / MID / LOW / AVOID and trigger signals.

Rankings feed the AVOID gate (DOMAIN §13, §14); signals feed trigger detection (DOMAIN §7).

The rulebook names the four tiers but not the cut-offs; **Decision** (issue 2): a content type is
ranked against the creator's own pooled revenue per send over the analysis window, so one creator's
TOP can be another's AVOID. AVOID is a hard gate, so it needs real evidence (enough sends); a type
with too little history is MID — neither pushed nor banned.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from eros.rules.triggers import ContentSignals


class RankTier(StrEnum):
    TOP = "TOP"
    MID = "MID"
    LOW = "LOW"
    AVOID = "AVOID"


#: Days of mass-message history a ranking looks at (interfaces: history-derived numbers use 90 days).
RANKING_WINDOW_DAYS = 90
#: Fewer sends than this in the window: MID, and it does not move the creator's baseline.
MIN_SENDS_TO_RANK = 3
#: AVOID bans a type from every schedule, so it needs at least this many sends of evidence.
MIN_SENDS_TO_AVOID = 5
#: Revenue per send ÷ the creator's baseline at or above which a type is TOP.
TOP_RATIO = 1.25
#: Below this ratio a type is LOW.
LOW_RATIO = 0.80
#: Below this ratio (with enough sends) a type is AVOID.
AVOID_RATIO = 0.50
#: Sends at which confidence reaches 1.0 (it grows linearly before).
FULL_CONFIDENCE_SENDS = 20


@dataclass(frozen=True, slots=True)
class ContentStats:
    """A creator's sends of one content type over the analysis window."""

    content_type: str
    sends: int
    earnings: float
    viewed: int
    purchased: int
    sends_30d: int = 0

    @property
    def revenue_per_send(self) -> float:
        return self.earnings / self.sends if self.sends else 0.0

    @property
    def conversion(self) -> float:
        """Purchases per view, the rulebook's conversion (a fraction 0–1)."""
        return self.purchased / self.viewed if self.viewed else 0.0


@dataclass(frozen=True, slots=True)
class Ranking:
    content_type: str
    tier: RankTier
    revenue_per_send: float
    conversion: float
    sends: int
    sends_30d: int
    earnings: float
    confidence: float


def baseline_revenue_per_send(stats: Iterable[ContentStats]) -> float:
    """Pooled revenue per send of the types with enough sends to rank."""
    ranked = [s for s in stats if s.sends >= MIN_SENDS_TO_RANK]
    sends = sum(s.sends for s in ranked)
    return sum(s.earnings for s in ranked) / sends if sends else 0.0


def classify(stat: ContentStats, baseline: float) -> RankTier:
    """One type's tier against the creator's baseline revenue per send."""
    if stat.sends < MIN_SENDS_TO_RANK or baseline <= 0:
        return RankTier.MID
    ratio = stat.revenue_per_send / baseline
    if ratio >= TOP_RATIO:
        return RankTier.TOP
    if ratio < AVOID_RATIO and stat.sends >= MIN_SENDS_TO_AVOID:
        return RankTier.AVOID
    if ratio < LOW_RATIO:
        return RankTier.LOW
    return RankTier.MID


def rank_content_types(stats: Iterable[ContentStats]) -> list[Ranking]:
    """Every type with history, best revenue per send first (ties by name, so the order is stable)."""
    items = list(stats)
    baseline = baseline_revenue_per_send(items)
    rankings = [
        Ranking(
            content_type=s.content_type,
            tier=classify(s, baseline),
            revenue_per_send=round(s.revenue_per_send, 2),
            conversion=round(s.conversion, 4),
            sends=s.sends,
            sends_30d=s.sends_30d,
            earnings=round(s.earnings, 2),
            confidence=round(min(1.0, s.sends / FULL_CONFIDENCE_SENDS), 2),
        )
        for s in items
        if s.sends > 0
    ]
    return sorted(rankings, key=lambda r: (-r.revenue_per_send, r.content_type))


# --- trigger signals (DOMAIN §7): what detection sees of one content type's recent sends -------------

#: Detection looks at this many days of history (EMERGING_WINNER counts sends in 30 days).
SIGNAL_WINDOW_DAYS = 30
#: A week-over-week comparison needs at least this many sends of the type in each of the two weeks,
#: so one lucky or unlucky send does not read as a trend.
MIN_SENDS_PER_WEEK_FOR_TREND = 2


@dataclass(frozen=True, slots=True)
class SendRecord:
    """One historical send of a content type, as detection needs it."""

    day_index: int  # days before the analysis day: 1 = yesterday
    sent: int
    viewed: int
    purchased: int
    earnings: float


def _week(records: Iterable[SendRecord], first_day: int, last_day: int) -> list[SendRecord]:
    return [r for r in records if first_day <= r.day_index <= last_day]


def _relative_change(new: float, old: float) -> float | None:
    return (new - old) / old if old > 0 else None


def conversion_declining_days(records: Iterable[SendRecord]) -> int:
    """Consecutive days (with sends of the type) on which conversion fell, counted from the newest."""
    by_day: dict[int, tuple[int, int]] = {}
    for r in records:
        viewed, purchased = by_day.get(r.day_index, (0, 0))
        by_day[r.day_index] = (viewed + r.viewed, purchased + r.purchased)
    daily = [p / v for _, (v, p) in sorted(by_day.items()) if v > 0]  # newest first
    count = 0
    for newer, older in itertools.pairwise(daily):
        if newer < older:
            count += 1
        else:
            break
    return count


def trigger_signals(content_type: str, records: Iterable[SendRecord]) -> ContentSignals | None:
    """The detection inputs for one type from its sends in the signal window; None without any."""
    recent = [r for r in records if 1 <= r.day_index <= SIGNAL_WINDOW_DAYS]
    if not recent:
        return None
    viewed = sum(r.viewed for r in recent)
    this_week, last_week = _week(recent, 1, 7), _week(recent, 8, 14)
    wow: float | None = None
    open_change: float | None = None
    if min(len(this_week), len(last_week)) >= MIN_SENDS_PER_WEEK_FOR_TREND:
        wow = _relative_change(sum(r.earnings for r in this_week), sum(r.earnings for r in last_week))
        open_change = _relative_change(
            _open_rate(this_week),
            _open_rate(last_week),
        )
    return ContentSignals(
        content_type=content_type,
        conversion=sum(r.purchased for r in recent) / viewed if viewed else 0.0,
        sends_30d=len(recent),
        revenue_wow_change=wow,
        conversion_declining_days=conversion_declining_days(recent),
        open_rate_change_7d=open_change,
    )


def _open_rate(records: list[SendRecord]) -> float:
    sent = sum(r.sent for r in records)
    return sum(r.viewed for r in records) / sent if sent else 0.0


def content_stats(content_type: str, records: Iterable[SendRecord]) -> ContentStats:
    """Totals of one type's sends over the ranking window (and how many fell in the last 30 days)."""
    window = [r for r in records if 1 <= r.day_index <= RANKING_WINDOW_DAYS]
    return ContentStats(
        content_type=content_type,
        sends=len(window),
        earnings=sum(r.earnings for r in window),
        viewed=sum(r.viewed for r in window),
        purchased=sum(r.purchased for r in window),
        sends_30d=sum(1 for r in window if r.day_index <= SIGNAL_WINDOW_DAYS),
    )
