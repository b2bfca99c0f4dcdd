"""Phase 9 — revenue optimisation (v3 Ph 8 `revenue-optimizer` + 8.5a `ppv-price-optimizer`, §2.9).

Prices come from the rulebook's one stack (`eros.rules.pricing`), fed by v5's revenue model
(`eros.scheduling.revenue_model`) for the prediction and the expected revenue, so both
pipelines' expected revenue is measured with the same yardstick. The old branch-order bug
(full confidence dampened to 0.6) cannot happen: confidence only gates the prediction step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eros.legacy.state import Assembled, Priced
from eros.models import CreatorContext, ScheduleItem
from eros.rules.pricing import PriceInputs, adjustments, base_price, optimisation_allowed, price
from eros.rules.rankings import SIGNAL_WINDOW_DAYS
from eros.rules.send_types import BUNDLE_TYPES, get_send_type
from eros.rules.timing import parse_date, parse_time
from eros.scheduling.revenue_model import RevenueModel, fit


def days_since_content(
    context: CreatorContext, content_type: str | None, last_used: dict[str, date], day: date
) -> int | None:
    """Days since the content type went out: this week's earlier send, else the rankings' window
    (a type without sends in its 30 days has been unused at least that long)."""
    if content_type is None:
        return 0
    if content_type in last_used:
        return (day - last_used[content_type]).days
    sends = next((r.sends_30d for r in context.rankings if r.content_type == content_type), 0)
    return 0 if sends else SIGNAL_WINDOW_DAYS


def optimise(context: CreatorContext, assembled: Assembled, model: RevenueModel | None = None) -> Priced:
    model = model or fit(context.analytics)
    captions = {c.caption_id: c for c in context.captions}
    last_used: dict[str, date] = {}
    items: list[ScheduleItem] = []
    applied: dict[int, dict[str, float]] = {}
    for index, item in enumerate(assembled.items):
        st = get_send_type(item.send_type_key)
        day, at = parse_date(item.scheduled_date), parse_time(item.scheduled_time)
        gap = (day - last_used[item.content_type]).days if item.content_type in last_used else None
        before_price = model.expected(
            st.key, weekday=day.weekday(), hour=at.hour, content_type=item.content_type, gap_days=gap
        )
        update: dict[str, Any] = {}
        if st.requires_price:
            caption = captions.get(item.caption_id) if item.caption_id is not None else None
            inputs = PriceInputs(
                base=base_price(context.base_price, caption.suggested_price if caption else None),
                day=day,
                send_time=at,
                predicted_ratio=model.predicted_ratio(before_price),
                prediction_confidence=model.confidence,
                days_since_content_used=days_since_content(context, item.content_type, last_used, day),
                top_tier_content=item.content_type in context.top_types,
                fresh_caption=bool(caption and caption.fresh),
                is_bundle=st.key in BUNDLE_TYPES,
                fan_count=context.fan_count,
                ab_test_running=context.ab_test_running,
            )
            update["price"] = price(inputs)
            if optimisation_allowed(context.fan_count, context.ab_test_running):
                applied[index] = adjustments(inputs)
        update["expected_revenue"] = round(before_price * model.price_factor(update.get("price")), 2)
        items.append(item.model_copy(update=update))
        if item.content_type is not None:
            last_used[item.content_type] = day
    total = round(sum(i.expected_revenue or 0.0 for i in items), 2)
    return Priced(items=tuple(items), expected_revenue=total, adjustments=applied)
