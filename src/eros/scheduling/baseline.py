"""The naive baseline the optimiser is measured against (issue 5: revenue ≥ 1.15 × baseline).

What a scheduler without a model does: the same daily category volumes, send types taken in
rulebook order round-robin (within their daily/weekly caps), sends every 40 minutes from 08:00,
content in vault order, the base price, no follow-ups. It is priced by the same revenue model as
the plan, so the ratio isolates what the optimisation adds. It is a yardstick, not a schedule to
send (it is not built to pass the timing gates).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import time, timedelta

from eros.models import CreatorContext, ScheduleItem
from eros.rules.pricing import base_price
from eros.rules.send_types import Category, schedulable_types
from eros.rules.timing import format_time
from eros.scheduling.problem import daily_targets
from eros.scheduling.revenue_model import RevenueModel

FIRST_SEND_MINUTE = 8 * 60
STEP_MINUTES = 40


@dataclass(frozen=True, slots=True)
class Baseline:
    items: tuple[ScheduleItem, ...]
    expected_revenue: float


def naive_week(context: CreatorContext, model: RevenueModel) -> Baseline:
    usable = [ct for ct in context.vault_types if ct not in set(context.avoid_types)]
    types = [st for st in schedulable_types(context.page_type) if usable or not st.requires_media]
    price = base_price(context.base_price, None)
    targets = daily_targets(context)
    turn: dict[Category, int] = defaultdict(int)
    per_week: dict[str, int] = defaultdict(int)
    content_turn = 0
    last_day: dict[str, int] = {}
    items: list[ScheduleItem] = []
    total = 0.0
    for day in range(7):
        d = context.week_start + timedelta(days=day)
        per_day: dict[str, int] = defaultdict(int)
        minute = FIRST_SEND_MINUTE
        for category in Category:
            pool = [st for st in types if st.category is category]
            for _ in range(targets[day][category]):
                for _ in range(len(pool)):
                    st = pool[turn[category] % len(pool)]
                    turn[category] += 1
                    if per_day[st.key] < st.max_per_day and per_week[st.key] < st.week_cap:
                        break
                else:
                    break
                per_day[st.key] += 1
                per_week[st.key] += 1
                content = None
                if st.requires_media:
                    content = usable[content_turn % len(usable)]
                    content_turn += 1
                gap = day - last_day[content] if content in last_day else None
                if content is not None:
                    last_day[content] = day
                hour = (minute // 60) % 24
                revenue = model.expected(
                    st.key,
                    weekday=d.weekday(),
                    hour=hour,
                    content_type=content,
                    price=price if st.requires_price else None,
                    gap_days=gap,
                )
                total += revenue
                items.append(
                    ScheduleItem(
                        send_type_key=st.key,
                        scheduled_date=d.isoformat(),
                        scheduled_time=format_time(time(hour, minute % 60)),
                        channel_key=st.channel.value,
                        content_type=content,
                        price=price if st.requires_price else None,
                        flyer_required=1 if st.requires_flyer else 0,
                        expected_revenue=round(revenue, 2),
                    )
                )
                minute += STEP_MINUTES
    return Baseline(tuple(items), round(total, 2))
