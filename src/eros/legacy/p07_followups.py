"""Phase 7 — follow-up generation (v3 Ph 5 `followup-generator` + 5.5 timing, §2.8, DOMAIN §5).

Parents are the timed `ppv_unlock`, `ppv_wall` and `tip_goal` sends. Each day follows up 80 %
of its parents (the old `followup_volume_scaled`), at most five, keeping the most valuable
parents, then TOP-tier content, then earlier ones. The delay is the rulebook's truncated
normal drawn from an RNG seeded from (creator, week), nudged a minute at a time inside 15–45
off a quarter hour and 60 minutes clear of the day's other follow-ups; a delay that crosses
23:30 moves the follow-up to 08:00 the next day (dropped after the week's last day). Captions
are fetched per follow-up and never repeat within a day.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from eros.legacy.constants import FOLLOWUP_CAPTION_LIMIT, FOLLOWUP_SCALING
from eros.legacy.p05_captions import choose, options_from
from eros.legacy.state import Followup, FollowupPlan, Slot, TimedPlan
from eros.models import CaptionOption, CreatorContext
from eros.ports import ToolClient
from eros.rules import followups as fu
from eros.rules.captions import MAX_CAPTIONS_PER_SEND_TYPE
from eros.rules.rounding import round_int
from eros.rules.send_types import FOLLOWUP_KEY, FOLLOWUP_PARENTS
from eros.rules.timing import on_quarter_hour


def budget(parents: int) -> int:
    """round(parents × 0.80), at most five a day."""
    return min(fu.MAX_PER_DAY, round_int(parents * FOLLOWUP_SCALING))


def parent_value(
    slot: Slot, content_weights: Mapping[str, float], top_types: Sequence[str]
) -> tuple[float, int]:
    """Most valuable content first (earnings-weighted), then TOP tier."""
    weight = content_weights.get(slot.content_type or "", 0.0)
    return (-weight, 0 if slot.content_type in top_types else 1)


def chosen_parents(
    slots: Sequence[Slot], content_weights: Mapping[str, float], top_types: Sequence[str]
) -> list[int]:
    """Indices of the parents that get a follow-up, in time order."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for index, slot in enumerate(slots):
        if slot.send_type in FOLLOWUP_PARENTS:
            by_day[slot.day].append(index)
    keep: list[int] = []
    for indices in by_day.values():
        ranked = sorted(
            indices, key=lambda i: (*parent_value(slots[i], content_weights, top_types), slots[i].moment)
        )
        keep.extend(ranked[: budget(len(indices))])
    return sorted(keep, key=lambda i: slots[i].moment)


def _clear(moment: datetime, taken: Sequence[datetime]) -> bool:
    return all(abs((moment - other).total_seconds()) / 60 >= fu.MIN_MINUTES_APART for other in taken)


def place(
    parent: Slot, delay: int, taken: Mapping[date, Sequence[datetime]], week_end: date
) -> tuple[datetime, int] | None:
    """Where the follow-up goes and with which delay, or None when the rules leave no room."""
    start = parent.moment
    cutoff = datetime.combine(parent.day, fu.LATE_NIGHT_CUTOFF)
    if start + timedelta(minutes=delay) > cutoff:
        morning = datetime.combine(parent.day + timedelta(days=1), fu.NEXT_DAY_TIME)
        fits = morning.date() <= week_end and _clear(morning, taken.get(morning.date(), ()))
        return (morning, delay) if fits else None
    nudges = sorted(
        range(fu.DELAY_MIN_MINUTES - delay, fu.DELAY_MAX_MINUTES - delay + 1), key=lambda n: (abs(n), n)
    )
    for nudge in nudges:
        moment = start + timedelta(minutes=delay + nudge)
        if moment > cutoff or on_quarter_hour(moment.time()):
            continue
        if _clear(moment, taken.get(moment.date(), ())):
            return moment, delay + nudge
    return None


def plan(
    timed: TimedPlan,
    content_weights: Mapping[str, float],
    top_types: Sequence[str],
    week_end: date,
    rng: random.Random,
) -> FollowupPlan:
    """Follow-ups without captions yet: parent, moment and delay."""
    taken: dict[date, list[datetime]] = defaultdict(list)
    followups: list[Followup] = []
    skipped: list[str] = []
    for index in chosen_parents(timed.slots, content_weights, top_types):
        parent = timed.slots[index]
        spot = place(parent, fu.draw_delay(rng), taken, week_end)
        if spot is None or len(taken[spot[0].date()]) >= fu.MAX_PER_DAY:
            skipped.append(f"{parent.day} {parent.time}: no room for a follow-up of {parent.send_type}")
            continue
        moment, delay = spot
        taken[moment.date()].append(moment)
        followups.append(Followup(parent=index, day=moment.date(), time=moment.time(), delay_minutes=delay))
    return FollowupPlan(followups=tuple(followups), skipped=tuple(skipped))


async def add_captions(
    client: ToolClient, context: CreatorContext, followups: FollowupPlan
) -> tuple[FollowupPlan, tuple[CaptionOption, ...]]:
    """One caption call per follow-up; a caption is never used twice on one day."""
    used_week: Counter[int] = Counter()
    used_day: dict[date, set[int]] = defaultdict(set)
    seen: dict[int, CaptionOption] = {}
    out = []
    for followup in followups.followups:
        answer = await client.call_tool(
            "get_send_type_captions",
            {
                "creator_id": context.creator_id,
                "send_type": FOLLOWUP_KEY,
                "limit": min(MAX_CAPTIONS_PER_SEND_TYPE, FOLLOWUP_CAPTION_LIMIT + sum(used_week.values())),
            },
        )
        options = [
            o
            for o in options_from(answer.get("captions") or [])
            if o.caption_id not in used_day[followup.day]
        ]
        seen.update((o.caption_id, o) for o in options)
        caption, _, _ = choose(options, FOLLOWUP_KEY, used_week, context.persona)
        if caption is not None:
            used_week[caption.caption_id] += 1
            used_day[followup.day].add(caption.caption_id)
        out.append(replace(followup, caption=caption))
    return replace(followups, followups=tuple(out)), tuple(seen.values())
