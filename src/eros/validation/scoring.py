"""The quality score of DOMAIN §9: 0–100 from named soft-rule components, each explained.

Weights (points; they add up to 100):

| component            | max | full points when                                                        |
|----------------------|-----|-------------------------------------------------------------------------|
| volume_adherence     | 15  | every day's revenue / engagement / retention count equals its target    |
| prime_hours          | 15  | ≥ 70 % of revenue sends in prime hours (secondary hours count half)     |
| content_performance  | 15  | media sends use TOP content (MID 0.75, unranked 0.5, LOW 0.25) — 12 pts;|
|                      |     | every content type a boosting trigger names is used — 3 pts             |
| caption_quality      | 10  | no caption repeats in the week (5) and every caption is fresh (5)       |
| pricing              | 10  | every price inside its type's typical range (§6)                        |
| cooldowns            | 10  | consecutive sends keep the category cooldowns of §4                     |
| followup_coverage    | 10  | every eligible parent has its follow-up (at most 5 a day)               |
| learnings            |  5  | HIGH and MEDIUM learnings' directives are followed (HIGH counts double) |
| expected_revenue     | 10  | expected revenue ≥ 1.15 × the creator's average week (0 at ≤ 0.70 ×)    |

Expected revenue is the validator's own estimate — the revenue model fitted from the
creator's history (`eros.scheduling.revenue_model`), applied to each item — never the
number a generator wrote on its items. Missing inputs (no volume targets, no baseline, no
learnings) give full points with a reason saying so, so the score never punishes a
schedule for data the installation does not have. Everything here is pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from eros.models import CaptionOption, ContentRanking, CreatorContext, Learning, ScheduleItem, ScoreComponent
from eros.rules.followups import MAX_PER_DAY
from eros.rules.pricing import in_typical_range
from eros.rules.quality import MAX_SCORE, SCORED_LEARNING_CONFIDENCES
from eros.rules.rankings import RankTier
from eros.rules.send_types import FOLLOWUP_PARENTS, Category
from eros.rules.timing import CATEGORY_COOLDOWN_HOURS, is_prime, is_secondary
from eros.rules.volume import week_targets
from eros.scheduling.revenue_model import fit
from eros.validation.gates import Send, timed_sends, to_sends

WEIGHTS: dict[str, float] = {
    "volume_adherence": 15,
    "prime_hours": 15,
    "content_performance": 15,
    "caption_quality": 10,
    "pricing": 10,
    "cooldowns": 10,
    "followup_coverage": 10,
    "learnings": 5,
    "expected_revenue": 10,
}
#: Share of revenue sends in prime hours that earns full prime-hour points.
PRIME_SHARE_FOR_FULL = 0.70
#: Value of a media send's content by ranking tier (1.0 = TOP).
TIER_VALUE: dict[str, float] = {
    RankTier.TOP: 1.0,
    RankTier.MID: 0.75,
    RankTier.LOW: 0.25,
    RankTier.AVOID: 0.0,
}
UNRANKED_VALUE = 0.5
#: Mean content value that earns full content points (a few MID sends are fine).
CONTENT_VALUE_FOR_FULL = 0.9
TRIGGER_POINTS = 3.0
#: A caption the context knows nothing about counts as half fresh.
UNKNOWN_FRESHNESS = 0.5
#: Expected revenue ÷ average week: full points from the upper, none at or below the lower.
REVENUE_RATIO_FULL = 1.15
REVENUE_RATIO_ZERO = 0.70
#: Share of sends in preferred hours / content / types that fully follows a "prefer" directive.
PREFER_SHARE_FOR_FULL = 0.25
HIGH_LEARNING_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class ScoringFacts:
    """What the score looks at, taken from the context and the validator's own re-reads."""

    creator_id: str
    page_name: str
    page_type: str
    tier: str
    week_start: date
    timezone: str
    daily_targets: Mapping[date, Mapping[Category, int]]
    content_tiers: Mapping[str, str]
    trigger_multipliers: Mapping[str, float]
    captions: Mapping[int, CaptionOption]
    analytics: Mapping[str, Any]
    learnings: tuple[Learning, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _targets(context: CreatorContext) -> dict[date, dict[Category, int]]:
    """Daily targets from the context's volume config, else from its tier (DOMAIN §2)."""
    config = context.volume_config
    days = config.get("days")
    if isinstance(days, list) and days:
        return {
            date.fromisoformat(str(day["date"])): {c: int(day.get(c.value, 0)) for c in Category}
            for day in days
        }
    tier = config.get("tier")
    if not tier:
        return {}
    return {
        d.day: {c: d.target(c) for c in Category}
        for d in week_targets(
            context.week_start,
            str(tier),
            context.page_type,
            float(config.get("trigger_multiplier", 1.0)),
            int(config.get("health_adjustment", 0)),
        )
    }


def scoring_facts(context: CreatorContext, rankings: Sequence[ContentRanking] | None = None) -> ScoringFacts:
    """Facts for scoring; `rankings` (re-read by the validator) win over the context's."""
    ranked = context.rankings if rankings is None else tuple(rankings)
    multipliers = dict(context.trigger_multipliers)
    for trigger in context.triggers:
        multipliers.setdefault(trigger.content_type, trigger.multiplier)
    return ScoringFacts(
        creator_id=context.creator_id,
        page_name=context.page_name,
        page_type=context.page_type,
        tier=str(context.volume_config.get("tier", "")),
        week_start=context.week_start,
        timezone=context.timezone,
        daily_targets=_targets(context),
        content_tiers={r.content_type: r.performance_tier for r in ranked},
        trigger_multipliers=multipliers,
        captions={c.caption_id: c for c in context.captions},
        analytics=context.analytics,
        learnings=context.learnings,
    )


@dataclass(frozen=True, slots=True)
class QualityScore:
    total: float
    components: tuple[ScoreComponent, ...]

    def recommendations(self) -> list[str]:
        """The reasons of every component that lost points, biggest loss first."""
        losing = sorted(
            (c for c in self.components if c.points < c.max_points),
            key=lambda c: (c.points - c.max_points, c.name),
        )
        return [f"{c.name}: {reason}" for c in losing for reason in c.reasons]


def _component(name: str, fraction: float, reasons: list[str]) -> ScoreComponent:
    max_points = WEIGHTS[name]
    points = round(max(0.0, min(1.0, fraction)) * max_points, 2)
    return ScoreComponent(name=name, points=points, max_points=max_points, reasons=reasons)


def _timed(sends: Sequence[Send]) -> list[Send]:
    """The gates' timed sends, in time order."""
    return sorted(timed_sends(sends), key=lambda s: (s.at, s.index))


def _category(send: Send) -> Category:
    assert send.send_type is not None
    return send.send_type.category


def score_volume(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    """Per day and category, how close the count is to the target (follow-ups may fill retention)."""
    if not facts.daily_targets:
        return _component("volume_adherence", 1.0, ["no volume targets known: not scored"])
    counts: dict[tuple[date, Category], int] = defaultdict(int)
    followups: dict[date, int] = defaultdict(int)
    for s in _timed(sends):
        assert s.day is not None
        if s.is_followup:
            followups[s.day] += 1
        else:
            counts[(s.day, _category(s))] += 1
    scores, reasons = [], []
    for day, targets in sorted(facts.daily_targets.items()):
        for category, target in targets.items():
            actual = counts[(day, category)]
            low = actual + (followups[day] if category is Category.RETENTION else 0)
            miss = max(0, target - low) + max(0, actual - target)
            scores.append(1 - min(1.0, miss / max(target, 1)))
            if miss:
                reasons.append(
                    f"{day.isoformat()} {category.value}: {low} sends against a target of {target}"
                )
    return _component("volume_adherence", sum(scores) / len(scores), reasons[:10])


def score_prime_hours(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    revenue = _revenue(sends)
    if not revenue:
        return _component("prime_hours", 0.0, ["no revenue sends to place"])
    prime = secondary = 0
    for s in revenue:
        assert s.day is not None and s.at is not None
        if is_prime(s.day, s.at.time(), facts.timezone):
            prime += 1
        elif is_secondary(s.day, s.at.time(), facts.timezone):
            secondary += 1
    share = (prime + 0.5 * secondary) / len(revenue)
    reasons = []
    if share < PRIME_SHARE_FOR_FULL:
        reasons.append(
            f"{prime} of {len(revenue)} revenue sends in prime hours and {secondary} in secondary hours; "
            f"{PRIME_SHARE_FOR_FULL:.0%} prime earns full points"
        )
    return _component("prime_hours", share / PRIME_SHARE_FOR_FULL, reasons)


def score_content(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    """TOP/MID content over LOW, and the content types that active triggers boost."""
    media = _media(sends)
    reasons = []
    if media:
        values = [facts.content_tiers.get(s.item.content_type or "", "") for s in media]
        mean = sum(TIER_VALUE.get(tier, UNRANKED_VALUE) for tier in values) / len(media)
        low = sum(1 for tier in values if tier == RankTier.LOW)
        if low:
            reasons.append(f"{low} of {len(media)} content sends use LOW-ranked content")
        if mean < CONTENT_VALUE_FOR_FULL:
            reasons.append(f"content value {mean:.2f} (TOP = 1.00, MID 0.75, unranked 0.50, LOW 0.25)")
        content_fraction = min(1.0, mean / CONTENT_VALUE_FOR_FULL)
    else:
        content_fraction = 0.0
        reasons.append("no send carries content")
    boosted = sorted(ct for ct, m in facts.trigger_multipliers.items() if m > 1.0)
    used = {s.item.content_type for s in media}
    trigger_fraction = 1.0
    if boosted:
        missed = [ct for ct in boosted if ct not in used]
        trigger_fraction = 1 - len(missed) / len(boosted)
        if missed:
            reasons.append(f"boosted by triggers but unused: {', '.join(missed)}")
    content_points = WEIGHTS["content_performance"] - TRIGGER_POINTS
    fraction = (content_fraction * content_points + trigger_fraction * TRIGGER_POINTS) / WEIGHTS[
        "content_performance"
    ]
    return _component("content_performance", fraction, reasons)


def score_captions(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    """No caption twice in a week, and fresh captions (never or ≥ 90 days ago used by this creator)."""
    keys = [caption for caption in (s.caption for s in sends) if caption is not None and caption != ""]
    if not keys:
        return _component(
            "caption_quality", 0.5, ["no item names a caption: freshness and uniqueness unknown"]
        )
    reasons = []
    repeats = len(keys) - len(set(keys))
    uniqueness = 1 - repeats / len(keys)
    if repeats:
        reasons.append(f"{repeats} of {len(keys)} captions repeat a caption used earlier in the week")
    freshness_values = []
    stale = 0
    for key in keys:
        option = facts.captions.get(key) if isinstance(key, int) else None
        if option is None:
            freshness_values.append(UNKNOWN_FRESHNESS)
        else:
            freshness_values.append(1.0 if option.fresh else 0.0)
            stale += 0 if option.fresh else 1
    if stale:
        reasons.append(f"{stale} captions were used by this creator in the last 90 days")
    unknown = sum(1 for v in freshness_values if v == UNKNOWN_FRESHNESS)
    if unknown:
        reasons.append(f"{unknown} captions are not in the creator's caption pool: freshness unknown")
    freshness = sum(freshness_values) / len(freshness_values)
    return _component("caption_quality", (uniqueness + freshness) / 2, reasons)


def score_pricing(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    priced = _priced(sends)
    if not priced:
        return _component("pricing", 1.0, ["no priced sends"])
    outside = [s for s in priced if not in_typical_range(s.key, _price(s))]
    reasons = [
        f"item {s.index} ({s.key}) at ${_price(s):.2f} is outside the typical range" for s in outside[:10]
    ]
    return _component("pricing", 1 - len(outside) / len(priced), reasons)


def score_cooldowns(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    """Each consecutive pair of sends earns gap ÷ cooldown (capped at 1); follow-ups are left out."""
    regular = [s for s in _timed(sends) if not s.is_followup]
    if len(regular) < 2:
        return _component("cooldowns", 1.0, [])
    values, broken = [], 0
    for earlier, later in pairwise(regular):
        assert earlier.at is not None and later.at is not None
        cooldown = CATEGORY_COOLDOWN_HOURS[(_category(earlier), _category(later))] * 60
        gap = (later.at - earlier.at).total_seconds() / 60
        values.append(min(1.0, gap / cooldown))
        broken += gap < cooldown
    reasons = (
        [f"{broken} of {len(values)} consecutive sends come before their category cooldown"] if broken else []
    )
    return _component("cooldowns", sum(values) / len(values), reasons)


def score_followups(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    parents_by_day: dict[date, int] = defaultdict(int)
    for s in _timed(sends):
        if s.key in FOLLOWUP_PARENTS:
            assert s.day is not None
            parents_by_day[s.day] += 1
    eligible = sum(min(n, MAX_PER_DAY) for n in parents_by_day.values())
    if not eligible:
        return _component("followup_coverage", 1.0, ["no PPV or tip-goal parents"])
    parent_indices = {s.index for s in sends if s.key in FOLLOWUP_PARENTS}
    covered = len(
        {
            s.item.parent_item_index
            for s in sends
            if s.is_followup and s.item.parent_item_index in parent_indices
        }
    )
    reasons = [] if covered >= eligible else [f"{covered} of {eligible} eligible parents have a follow-up"]
    return _component("followup_coverage", covered / eligible, reasons)


def _hour(send: Send) -> int:
    assert send.at is not None
    return send.at.hour


def _share(matching: int, total: int) -> float:
    return min(1.0, matching / total / PREFER_SHARE_FOR_FULL) if total else 1.0


def _avoid(sends: Sequence[Send], hit: Callable[[Send], bool]) -> float:
    return 1 - sum(1 for s in sends if hit(s)) / len(sends) if sends else 1.0


def _revenue(sends: Sequence[Send]) -> list[Send]:
    return [s for s in _timed(sends) if _category(s) is Category.REVENUE and not s.is_followup]


def _media(sends: Sequence[Send]) -> list[Send]:
    return [s for s in sends if s.item.content_type is not None]


def _regular(sends: Sequence[Send]) -> list[Send]:
    return [s for s in sends if s.send_type is not None and not s.is_followup]


def _priced(sends: Sequence[Send]) -> list[Send]:
    return [s for s in sends if s.send_type is not None and s.send_type.requires_price and s.item.price]


def _price(send: Send) -> float:
    return float(send.item.price or 0.0)


DirectiveCheck = Callable[[Sequence[Send], Any], float]

#: How far a schedule follows each directive key of eros.learnings.DIRECTIVE_KEYS, 0–1.
DIRECTIVE_CHECKS: dict[str, DirectiveCheck] = {
    "avoid_hours": lambda sends, v: _avoid(_timed(sends), lambda s: _hour(s) in v),
    "prefer_hours": lambda sends, v: _share(
        sum(1 for s in _revenue(sends) if _hour(s) in v), len(_revenue(sends))
    ),
    "avoid_content": lambda sends, v: _avoid(_media(sends), lambda s: s.item.content_type in v),
    "prefer_content": lambda sends, v: _share(
        sum(1 for s in _media(sends) if s.item.content_type in v), len(_media(sends))
    ),
    "avoid_send_types": lambda sends, v: _avoid(_regular(sends), lambda s: s.key in v),
    "prefer_send_types": lambda sends, v: _share(
        sum(1 for s in _regular(sends) if s.key in v), len(_regular(sends))
    ),
    "min_price": lambda sends, v: _avoid(_priced(sends), lambda s: _price(s) < v),
    "max_price": lambda sends, v: _avoid(_priced(sends), lambda s: _price(s) > v),
}


def directive_compliance(sends: Sequence[Send], directive: Mapping[str, Any]) -> dict[str, float]:
    """0–1 per directive key the scorer knows: how far the schedule follows it."""
    return {
        key: DIRECTIVE_CHECKS[key](sends, value)
        for key, value in directive.items()
        if key in DIRECTIVE_CHECKS
    }


def score_learnings(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    scored = [
        learning
        for learning in facts.learnings
        if learning.confidence.upper() in SCORED_LEARNING_CONFIDENCES
        and learning.applies(
            creator_id=facts.creator_id,
            page_name=facts.page_name,
            tier=facts.tier,
            page_type=facts.page_type,
        )
    ]
    if not scored:
        return _component("learnings", 1.0, ["no HIGH or MEDIUM learnings apply"])
    total = weight_sum = 0.0
    reasons = []
    for learning in scored:
        compliance = directive_compliance(sends, learning.directive)
        value = sum(compliance.values()) / len(compliance) if compliance else 1.0
        weight = HIGH_LEARNING_WEIGHT if learning.confidence.upper() == "HIGH" else 1.0
        total += weight * value
        weight_sum += weight
        if value < 1.0:
            reasons.append(f"{learning.id} ({learning.title}) followed {value:.0%}")
    return _component("learnings", total / weight_sum, reasons)


def expected_revenue(sends: Sequence[Send], analytics: Mapping[str, Any]) -> float:
    """The validator's estimate of the week's revenue: the history-fitted model over every item."""
    model = fit(analytics)
    last_used: dict[str, date] = {}
    total = 0.0
    for s in _timed(sends):
        assert s.day is not None and s.at is not None
        content = s.item.content_type
        gap = (s.day - last_used[content]).days if content in last_used else None
        total += model.expected(
            s.key,
            weekday=s.day.weekday(),
            hour=s.at.hour,
            content_type=content,
            price=s.item.price,
            gap_days=gap,
        )
        if content is not None:
            last_used[content] = s.day
    return round(total, 2)


def score_expected_revenue(sends: Sequence[Send], facts: ScoringFacts) -> ScoreComponent:
    baseline = float(facts.analytics.get("avg_weekly_revenue") or 0.0)
    if baseline <= 0:
        return _component("expected_revenue", 1.0, ["no revenue baseline for this creator: not scored"])
    estimate = expected_revenue(sends, facts.analytics)
    ratio = estimate / baseline
    fraction = (ratio - REVENUE_RATIO_ZERO) / (REVENUE_RATIO_FULL - REVENUE_RATIO_ZERO)
    reasons = (
        []
        if ratio >= REVENUE_RATIO_FULL
        else [
            f"expected ${estimate:,.2f} is {ratio:.2f}× the average week (${baseline:,.2f}); "
            f"{REVENUE_RATIO_FULL:.2f}× earns full points"
        ]
    )
    return _component("expected_revenue", fraction, reasons)


COMPONENTS: tuple[Callable[[Sequence[Send], ScoringFacts], ScoreComponent], ...] = (
    score_volume,
    score_prime_hours,
    score_content,
    score_captions,
    score_pricing,
    score_cooldowns,
    score_followups,
    score_learnings,
    score_expected_revenue,
)


def score_schedule(items: Sequence[ScheduleItem], facts: ScoringFacts) -> QualityScore:
    """Every component, and their sum rounded to one decimal (0–100)."""
    sends = to_sends(items)
    components = tuple(component(sends, facts) for component in COMPONENTS)
    total = round(min(MAX_SCORE, sum(c.points for c in components)), 1)
    return QualityScore(total=total, components=components)
