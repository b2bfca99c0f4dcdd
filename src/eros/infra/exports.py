"""A saved week as files other tools open: CSV for spreadsheets, JSON, iCalendar for calendar apps.

Shared by `eros export` and the web app's export endpoint. Formatting only: nothing here reads
the database or the clock.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from eros.models import ScheduleItem
from eros.rules.send_types import SEND_TYPES
from eros.rules.timing import parse_date, parse_time

#: How long a send occupies a calendar slot in the .ics export (a marker, not a duration rule).
ICS_EVENT_MINUTES = 15
CSV_COLUMNS = (
    "scheduled_date",
    "scheduled_time",
    "send_type_key",
    "category",
    "channel_key",
    "content_type",
    "price",
    "caption_id",
    "caption_text",
    "flyer_required",
    "is_follow_up",
    "parent_item_index",
    "delay_minutes",
    "target_key",
    "expected_revenue",
)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate gets a leading apostrophe, so it shows as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_value(item: ScheduleItem, column: str) -> Any:
    if column == "category":
        spec = SEND_TYPES.get(item.send_type_key)
        return spec.category.value if spec else ""
    value = getattr(item, column)
    return "" if value is None else neutralise_formula(value)


def to_csv(items: Sequence[ScheduleItem]) -> str:
    """One row per send in time order; the header names the ScheduleItem fields. Text that a
    spreadsheet would run as a formula (a caption `=HYPERLINK(…)`) is neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; a CR inside a caption is quoted too
    writer.writerow(CSV_COLUMNS)
    for item in sorted(items, key=lambda i: (i.scheduled_date, i.scheduled_time)):
        writer.writerow([_csv_value(item, column) for column in CSV_COLUMNS])
    return buffer.getvalue()


def to_json(schedule: Mapping[str, Any], items: Sequence[ScheduleItem]) -> str:
    document = {**schedule, "items": [item.model_dump(mode="json") for item in items]}
    return json.dumps(document, indent=2, default=str)


def event_uid(creator: str, week: str, item: ScheduleItem) -> str:
    """The same send has the same UID in every export of the week, whatever else moved around it,
    so a calendar app updates its events instead of duplicating them."""
    key = "|".join(
        (creator, week, item.scheduled_date, item.scheduled_time, item.send_type_key, item.channel_key or "")
    )
    return f"eros-{hashlib.sha256(key.encode()).hexdigest()[:24]}@eros"


def to_ics(
    schedule: Mapping[str, Any], items: Sequence[ScheduleItem], timezone: str, generated_at: datetime
) -> str:
    """An iCalendar file (RFC 5545, built by `icalendar`) a calendar app opens: one event per send,
    at its real instant in UTC, so no VTIMEZONE is needed and daylight saving cannot shift it."""
    zone = ZoneInfo(timezone)
    creator = str(schedule.get("creator_id", ""))
    week = str(schedule.get("week_start", ""))
    calendar = Calendar()
    calendar.add("prodid", "-//EROS//Weekly schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"EROS {creator} week of {week}")
    for item in sorted(items, key=lambda i: (i.scheduled_date, i.scheduled_time)):
        local = datetime.combine(
            parse_date(item.scheduled_date), parse_time(item.scheduled_time), tzinfo=zone
        )
        spec = SEND_TYPES.get(item.send_type_key)
        summary = spec.display_name if spec else item.send_type_key
        if item.content_type:
            summary += f" · {item.content_type}"
        if item.price:
            summary += f" · ${item.price:.2f}"
        details = [f"send type: {item.send_type_key}"]
        if item.channel_key:
            details.append(f"channel: {item.channel_key}")
        if item.is_follow_up and item.parent_item_index is not None:
            details.append(f"follow-up of item {item.parent_item_index} after {item.delay_minutes} min")
        if item.caption_text:
            details.append(f"caption: {item.caption_text}")
        event = Event()
        event.add("uid", event_uid(creator, week, item))
        event.add("dtstamp", generated_at.astimezone(UTC))
        event.add("dtstart", local.astimezone(UTC))
        event.add("dtend", (local + timedelta(minutes=ICS_EVENT_MINUTES)).astimezone(UTC))
        event.add("summary", summary)
        event.add("description", "\n".join(details))
        event.add("categories", [spec.category.value if spec else "unknown"])
        calendar.add_component(event)
    return str(calendar.to_ical().decode("utf-8"))
