"""Phase 8 — schedule assembly (v3 Ph 7 `schedule-assembler`, §3.1).

Merges timed sends and follow-ups into one flat list sorted by date and time, links each
follow-up to its parent's position, and runs the assembler's own checks as warnings. Unlike the
old assembler it saves nothing: saving waits for the validation gate (phase 10).
"""

from __future__ import annotations

from collections import Counter

from eros.legacy.state import Assembled, FollowupPlan, Slot, TimedPlan
from eros.models import ScheduleItem
from eros.rules.followups import followup_target
from eros.rules.send_types import FOLLOWUP_KEY, get_send_type
from eros.rules.timing import format_time


def slot_item(slot: Slot) -> ScheduleItem:
    st = get_send_type(slot.send_type)
    assert slot.time is not None
    return ScheduleItem(
        send_type_key=st.key,
        scheduled_date=slot.day.isoformat(),
        scheduled_time=format_time(slot.time),
        channel_key=st.channel.value,
        content_type=slot.content_type,
        caption_id=slot.caption.caption_id if slot.caption else None,
        caption_text=slot.caption.caption_text if slot.caption else None,
        flyer_required=1 if st.requires_flyer else 0,
    )


def assemble(timed: TimedPlan, followups: FollowupPlan) -> Assembled:
    """Sends then follow-ups, sorted by (date, time); follow-ups point at their parent's final index."""
    rows: list[tuple[str, str, int, int, ScheduleItem]] = []
    for index, slot in enumerate(timed.slots):
        item = slot_item(slot)
        rows.append((item.scheduled_date, item.scheduled_time, 0, index, item))
    st = get_send_type(FOLLOWUP_KEY)
    for number, followup in enumerate(followups.followups):
        parent = timed.slots[followup.parent]
        item = ScheduleItem(
            send_type_key=FOLLOWUP_KEY,
            scheduled_date=followup.day.isoformat(),
            scheduled_time=format_time(followup.time),
            channel_key=st.channel.value,
            caption_id=followup.caption.caption_id if followup.caption else None,
            caption_text=followup.caption.caption_text if followup.caption else None,
            flyer_required=1 if st.requires_flyer else 0,
            is_follow_up=True,
            delay_minutes=followup.delay_minutes,
            target_key=followup_target(parent.send_type),
        )
        rows.append((item.scheduled_date, item.scheduled_time, 1, number, item))
    rows.sort(key=lambda r: r[:4])
    position = {r[3]: i for i, r in enumerate(rows) if r[2] == 0}
    items = []
    for _, _, kind, number, row_item in rows:
        if kind == 1:
            parent_index = position[followups.followups[number].parent]
            items.append(row_item.model_copy(update={"parent_item_index": parent_index}))
        else:
            items.append(row_item)
    return Assembled(items=tuple(items), warnings=tuple(checks(items, timed, followups)))


def checks(items: list[ScheduleItem], timed: TimedPlan, followups: FollowupPlan) -> list[str]:
    """The assembler's checks that are not hard gates: caption reuse, missing captions, lost sends."""
    warnings = []
    reused = {cid: n for cid, n in Counter(i.caption_id for i in items if i.caption_id).items() if n > 1}
    if reused:
        warnings.append(f"{len(reused)} captions are used more than once this week")
    missing = sum(1 for i in items if i.caption_id is None)
    if missing:
        warnings.append(f"{missing} sends have no caption and need one written")
    if timed.dropped:
        warnings.append(f"{len(timed.dropped)} allocated sends found no valid time and were dropped")
    warnings.extend(followups.skipped)
    return warnings
