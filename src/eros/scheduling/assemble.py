"""From placements on the base grid to schedule items: jitter, content, captions, prices, follow-ups.

Shared by the CP-SAT and greedy paths. All randomness (jitter, follow-up delays) comes from one
`random.Random` seeded from (creator, week, revision) (ARCHITECTURE D2) and is drawn in a fixed order.

Jitter keeps every hard timing rule: items are visited in base-time order and each offset is drawn
from `[lower, +8] \\ {0}`, where `lower` keeps the item at least its required separation (45 min,
or the per-type gap) after every earlier, already jittered item. The solvers enforce those
separations on base times, so `lower ≤ +8` always and the draw never fails.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from eros.models import CaptionOption, ScheduleItem
from eros.rules import seeding
from eros.rules.captions import slot_class
from eros.rules.followups import DELAY_MAX_MINUTES, DELAY_MIN_MINUTES, draw_delay, followup_target
from eros.rules.pricing import PRICE_CEILING, PRICE_FLOOR, PriceInputs, base_price, price, typical_range
from eros.rules.rankings import SIGNAL_WINDOW_DAYS
from eros.rules.send_types import BUNDLE_TYPES, FOLLOWUP_KEY, SEND_TYPES, Channel
from eros.rules.timing import (
    DEAD_ZONE_END_HOUR,
    JITTER_MAX,
    JITTER_MIN,
    MIN_SPACING_MINUTES,
    QUARTER_MINUTES,
    format_time,
)
from eros.scheduling.problem import Placement, Problem, content_preference

MINUTES_PER_DAY = 24 * 60
#: Coordinate-descent passes over the content assignment (it usually settles in two).
CONTENT_PASSES = 4


def seeded_rng(creator_id: str, week_start: date, revision: int) -> random.Random:
    """The one RNG of a plan, seeded from (creator, week, revision)."""
    return seeding.seeded_rng(creator_id, week_start, revision)


@dataclass
class _Draft:
    placement: Placement
    day: int
    day_date: date
    base_minute: int
    minute: int = 0
    content_type: str | None = None
    caption: CaptionOption | None = None
    price: float | None = None
    expected: float = 0.0

    @property
    def send_type(self) -> str:
        return self.placement.send_type

    @property
    def week_minute(self) -> int:
        return self.day * MINUTES_PER_DAY + self.minute

    @property
    def hour(self) -> int:
        return self.minute // 60


def _jitter(drafts: list[_Draft], rng: random.Random) -> None:
    longest = max(MIN_SPACING_MINUTES, *(st.gap_minutes for st in SEND_TYPES.values()))
    placed: list[_Draft] = []
    for draft in drafts:
        lower = JITTER_MIN
        if draft.base_minute % 60 == 0 or draft.base_minute == DEAD_ZONE_END_HOUR * 60:
            lower = 1  # stay inside the hour (prime windows), the day and out of the dead zone
        base = draft.day * MINUTES_PER_DAY + draft.base_minute
        for other in reversed(placed):
            if other.week_minute + longest < base + JITTER_MIN:
                break  # earlier sends are too far back to constrain this one
            separation = MIN_SPACING_MINUTES
            if other.send_type == draft.send_type:
                separation = max(separation, SEND_TYPES[draft.send_type].gap_minutes)
            lower = max(lower, other.week_minute + separation - base)
        choices = [o for o in range(lower, JITTER_MAX + 1) if o != 0]
        offset = rng.choice(choices)
        draft.minute = draft.base_minute + offset
        placed.append(draft)


class _Captions:
    """Caption picker: the tool's ranking order (fresh first), each caption at most once a week.

    Captions are looked for in order of fit: written for this send type and content; for this
    content and the same slot class (ppv / bump / wall); for this send type without content; for
    this content. A send without content only takes captions without content.
    """

    def __init__(self, options: Sequence[CaptionOption], banned: frozenset[int]) -> None:
        self.used: set[int] = set()
        self.pools: dict[tuple[str, str | None, str | None], list[CaptionOption]] = defaultdict(list)
        for c in options:
            if c.caption_id in banned:
                continue
            cls = slot_class(c.send_type)
            keys = [("type", c.send_type, c.content_type), ("class", cls, c.content_type)]
            keys += [("content", None, c.content_type)] if c.content_type is not None else []
            for key in keys:
                self.pools[key].append(c)

    def pick(self, send_type: str, content_type: str | None) -> CaptionOption | None:
        cls = slot_class(send_type)
        order = (
            [
                ("type", send_type, content_type),
                ("class", cls, content_type),
                ("type", send_type, None),
                ("content", None, content_type),
            ]
            if content_type is not None
            else [("type", send_type, None), ("class", cls, None)]
        )
        for key in order:
            if key[0] == "class" and key[1] is None:
                continue
            pool = self.pools.get(key, [])
            while pool and pool[0].caption_id in self.used:
                pool.pop(0)
            if pool:
                option = pool.pop(0)
                self.used.add(option.caption_id)
                return option
        return None


def _assign_content(drafts: list[_Draft], problem: Problem) -> None:
    """Content per media send: greedy (most valuable send first), then coordinate descent.

    The objective is Σ value × content factor × preference × fatigue(days since the content's
    previous use), the plan's own expected revenue with the soft preference of triggers and
    learnings. It separates by content type, so moving one send from content a to b only
    re-scores a's and b's sends; passes stop when no single move improves the total.
    """
    model = problem.model
    media = sorted((d for d in drafts if SEND_TYPES[d.send_type].requires_media), key=lambda d: d.week_minute)
    if not media:
        return
    value = [model.expected(d.send_type, weekday=d.day_date.weekday(), hour=d.hour) for d in media]
    weight = {ct: model.content(ct) * content_preference(problem, ct) for ct in problem.usable_content}

    def score(ct: str, members: list[int]) -> float:
        total, previous = 0.0, None
        for i in members:
            gap = media[i].day - media[previous].day if previous is not None else None
            total += value[i] * weight[ct] * model.fatigue_factor(gap)
            previous = i
        return total

    chosen: dict[int, str] = {}
    members: dict[str, list[int]] = {ct: [] for ct in problem.usable_content}
    for i in sorted(range(len(media)), key=lambda i: (-value[i], i)):
        best = max(
            problem.usable_content,
            key=lambda ct: score(ct, sorted([*members[ct], i])) - score(ct, members[ct]),
        )
        chosen[i] = best
        members[best] = sorted([*members[best], i])
    for _ in range(CONTENT_PASSES):
        improved = False
        for i in range(len(media)):
            old = chosen[i]
            without = [j for j in members[old] if j != i]
            base = score(old, members[old]) - score(old, without)
            for ct in problem.usable_content:
                if ct == old:
                    continue
                gain = score(ct, sorted([*members[ct], i])) - score(ct, members[ct])
                if gain > base + 1e-9:
                    members[old] = without
                    members[ct] = sorted([*members[ct], i])
                    chosen[i], old, base = ct, ct, gain
                    without = [j for j in members[ct] if j != i]
                    improved = True
        if not improved:
            break
    for i, draft in enumerate(media):
        draft.content_type = chosen[i]


def _days_since_content(
    problem: Problem, content_type: str | None, earlier: dict[str, int], day: int
) -> int | None:
    if content_type is None:
        return 0  # no content: scarcity does not apply
    if content_type in earlier:
        return day - earlier[content_type]
    # Rankings give sends in the signal window, not the last send: a type sent n times in it is
    # taken to have last gone out about window / (2n) days ago (scarcity pricing, DOMAIN §6).
    sends = next((r.sends_30d for r in problem.context.rankings if r.content_type == content_type), 0)
    return SIGNAL_WINDOW_DAYS // (2 * sends) if sends > 0 else None


def _typical(send_type: str, value: float, problem: Problem) -> float:
    """Keep a rule-stack price inside its type's typical range (§6, a soft rule the score checks),
    then inside the learnings' price limits (they win: a person asked for them)."""
    low, high = typical_range(send_type)
    value = min(high, max(low, value))
    if problem.learning.min_price is not None:
        value = max(value, problem.learning.min_price)
    if problem.learning.max_price is not None:
        value = min(value, problem.learning.max_price)
    return min(PRICE_CEILING, max(PRICE_FLOOR, value))


def _price_and_revenue(drafts: list[_Draft], problem: Problem) -> None:
    """Prices by the rulebook's stack (eros.rules.pricing), then expected revenue at that price."""
    ctx, model = problem.context, problem.model
    last_day: dict[str, int] = {}
    for draft in drafts:
        st = SEND_TYPES[draft.send_type]
        weekday = draft.day_date.weekday()
        gap = draft.day - last_day[draft.content_type] if draft.content_type in last_day else None
        before_price = model.expected(
            st.key, weekday=weekday, hour=draft.hour, content_type=draft.content_type, gap_days=gap
        )
        if st.requires_price:
            draft.price = _typical(
                st.key,
                price(
                    PriceInputs(
                        base=base_price(
                            ctx.base_price, draft.caption.suggested_price if draft.caption else None
                        ),
                        day=draft.day_date,
                        send_time=time(draft.hour, draft.minute % 60),
                        predicted_ratio=model.predicted_ratio(before_price),
                        prediction_confidence=model.confidence,
                        days_since_content_used=_days_since_content(
                            problem, draft.content_type, last_day, draft.day
                        ),
                        top_tier_content=draft.content_type in ctx.top_types,
                        fresh_caption=bool(draft.caption and draft.caption.fresh),
                        is_bundle=st.key in BUNDLE_TYPES,
                        fan_count=ctx.fan_count,
                        ab_test_running=ctx.ab_test_running,
                    )
                ),
                problem,
            )
        draft.expected = before_price * model.price_factor(draft.price)
        if draft.content_type is not None:
            last_day[draft.content_type] = draft.day


def _item(draft: _Draft) -> ScheduleItem:
    st = SEND_TYPES[draft.send_type]
    return ScheduleItem(
        send_type_key=st.key,
        scheduled_date=draft.day_date.isoformat(),
        scheduled_time=format_time(time(draft.hour, draft.minute % 60)),
        channel_key=st.channel.value,
        content_type=draft.content_type,
        caption_id=draft.caption.caption_id if draft.caption else None,
        caption_text=draft.caption.caption_text if draft.caption else None,
        price=draft.price,
        flyer_required=1 if st.requires_flyer else 0,
        expected_revenue=round(draft.expected, 2),
    )


def _followup_delay(parent_minute: int, rng: random.Random) -> int:
    """A §5 delay whose landing minute is not a quarter hour (moved by one minute inside [15, 45])."""
    delay = draw_delay(rng)
    if (parent_minute + delay) % 60 in QUARTER_MINUTES:
        delay = delay + 1 if delay < DELAY_MAX_MINUTES else delay - 1
    return max(DELAY_MIN_MINUTES, delay)


def assemble(problem: Problem, placements: Sequence[Placement], rng: random.Random) -> list[ScheduleItem]:
    """Items in time order; each follow-up right after its parent's position in time."""
    slots = problem.slots
    drafts = [
        _Draft(p, slots[p.slot].day, slots[p.slot].day_date, slots[p.slot].minute)
        for p in sorted(placements, key=lambda p: (slots[p.slot].quarter, p.send_type))
    ]
    _jitter(drafts, rng)
    _assign_content(drafts, problem)
    captions = _Captions(problem.context.captions, problem.feedback.banned_captions)
    for draft in drafts:
        draft.caption = captions.pick(draft.send_type, draft.content_type)
    _price_and_revenue(drafts, problem)

    entries: list[tuple[int, int, ScheduleItem, int | None]] = []
    for position, draft in enumerate(drafts):
        entries.append((draft.week_minute, 0, _item(draft), None))
        if draft.placement.follow_up:
            delay = _followup_delay(draft.minute, rng)
            minute = draft.minute + delay
            caption = captions.pick(FOLLOWUP_KEY, None)
            followup = ScheduleItem(
                send_type_key=FOLLOWUP_KEY,
                scheduled_date=draft.day_date.isoformat(),
                scheduled_time=format_time(time(minute // 60, minute % 60)),
                channel_key=Channel.TARGETED_MESSAGE.value,
                caption_id=caption.caption_id if caption else None,
                caption_text=caption.caption_text if caption else None,
                is_follow_up=True,
                delay_minutes=delay,
                target_key=followup_target(draft.send_type),
                expected_revenue=round(
                    problem.model.expected(FOLLOWUP_KEY, weekday=draft.day_date.weekday(), hour=minute // 60),
                    2,
                ),
            )
            entries.append((draft.day * MINUTES_PER_DAY + minute, 1, followup, position))
    entries.sort(key=lambda e: (e[0], e[1]))
    # Jitter keeps the non-follow-ups in base order, so the k-th of them in time is drafts[k].
    position_to_index = [index for index, entry in enumerate(entries) if entry[1] == 0]
    return [
        item if parent is None else item.model_copy(update={"parent_item_index": position_to_index[parent]})
        for _, _, item, parent in entries
    ]
