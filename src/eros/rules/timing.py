"""Hard and soft timing rules (DOMAIN §4)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from eros.errors import InvalidDate
from eros.rules.send_types import Category

DEFAULT_TIMEZONE = "America/New_York"
PRIME_HOURS_ZONE = "America/New_York"
#: Nothing is sent from 03:00 to 06:59 local time.
DEAD_ZONE_START_HOUR = 3
DEAD_ZONE_END_HOUR = 7
#: No send lands on these minutes.
QUARTER_MINUTES = frozenset({0, 15, 30, 45})
JITTER_MIN = -7
JITTER_MAX = 8
#: Minimum minutes between two sends that are not follow-ups.
MIN_SPACING_MINUTES = 45
#: Collisions move the lower-priority send in steps of this many minutes.
COLLISION_STEP_MINUTES = 5
#: Resolution order when two sends collide (lower wins the slot).
COLLISION_PRIORITY = {"ppv_unlock": 0, "ppv_followup": 1}
CATEGORY_PRIORITY = {Category.REVENUE: 2, Category.ENGAGEMENT: 3, Category.RETENTION: 4}
#: Content fatigue: a content type sent again within this many days of its previous send earns less.
#: DOMAIN has no section of its own for it (the nearest is §4's per-type gap); it is the span of the
#: analytics contract's `fatigue_by_gap_days` ("1".."7", docs/MCP.md) and of the revenue model's fatigue.
FATIGUE_WINDOW_DAYS = 7

#: Prime and secondary windows per weekday in New York time, [start, end) hours; 25 = 01:00 next day.
PRIME_HOURS: dict[int, tuple[tuple[int, int], ...]] = {
    0: ((12, 14), (19, 22)),
    1: ((12, 14), (20, 23)),
    2: ((12, 14), (20, 23)),
    3: ((12, 14), (20, 23)),
    4: ((12, 14), (21, 24)),
    5: ((11, 14), (22, 25)),
    6: ((11, 14), (20, 23)),
}
SECONDARY_HOURS: dict[int, tuple[tuple[int, int], ...]] = {
    0: ((10, 11),),
    1: ((10, 11),),
    2: ((18, 19),),
    3: ((18, 19),),
    4: ((17, 19),),
    5: ((16, 18),),
    6: ((16, 18),),
}

#: Soft cooldown in hours from a send of one category to the next send of another.
CATEGORY_COOLDOWN_HOURS: dict[tuple[Category, Category], int] = {
    (Category.REVENUE, Category.REVENUE): 4,
    (Category.REVENUE, Category.ENGAGEMENT): 1,
    (Category.REVENUE, Category.RETENTION): 2,
    (Category.ENGAGEMENT, Category.REVENUE): 4,
    (Category.ENGAGEMENT, Category.ENGAGEMENT): 1,
    (Category.ENGAGEMENT, Category.RETENTION): 1,
    (Category.RETENTION, Category.REVENUE): 2,
    (Category.RETENTION, Category.ENGAGEMENT): 1,
    (Category.RETENTION, Category.RETENTION): 4,
}


def in_dead_zone(t: time) -> bool:
    return DEAD_ZONE_START_HOUR <= t.hour < DEAD_ZONE_END_HOUR


def on_quarter_hour(t: time) -> bool:
    return t.minute in QUARTER_MINUTES


def jitter_offsets() -> list[int]:
    return list(range(JITTER_MIN, JITTER_MAX + 1))


def apply_jitter(base: datetime, offset: int) -> datetime:
    """Shift by `offset` minutes, then step away from a quarter hour if it landed on one."""
    moved = base + timedelta(minutes=offset)
    while moved.minute in QUARTER_MINUTES:
        moved += timedelta(minutes=1)
    return moved


def move_out_of_dead_zone(moment: datetime) -> datetime:
    """03:00–04:59 → 23:00 the evening before; 05:00–06:59 → 07:00 the same day (jittered later)."""
    if not in_dead_zone(moment.time()):
        return moment
    if moment.hour < 5:
        return datetime.combine(moment.date() - timedelta(days=1), time(23, 0), moment.tzinfo)
    return datetime.combine(moment.date(), time(DEAD_ZONE_END_HOUR, 0), moment.tzinfo)


@lru_cache(maxsize=4096)
def _windows_local(day: date, secondary: bool, tz: str) -> tuple[tuple[datetime, datetime], ...]:
    """Cached: a week's problem asks for the same day's windows once per candidate slot (issue 14)."""
    ny = ZoneInfo(PRIME_HOURS_ZONE)
    local = ZoneInfo(tz)
    result = []
    for start_h, end_h in (SECONDARY_HOURS if secondary else PRIME_HOURS)[day.weekday()]:
        start = datetime.combine(day, time(0), ny) + timedelta(hours=start_h)
        end = datetime.combine(day, time(0), ny) + timedelta(hours=end_h)
        result.append((start.astimezone(local), end.astimezone(local)))
    return tuple(result)


def prime_windows(day: date, tz: str = DEFAULT_TIMEZONE) -> list[tuple[datetime, datetime]]:
    """The day's prime windows (New York hours) as aware datetimes in the creator's zone."""
    return list(_windows_local(day, False, tz))


def secondary_windows(day: date, tz: str = DEFAULT_TIMEZONE) -> list[tuple[datetime, datetime]]:
    return list(_windows_local(day, True, tz))


def _inside(moment: datetime, windows: list[tuple[datetime, datetime]]) -> bool:
    return any(start <= moment < end for start, end in windows)


def local_moment(day: date, t: time, tz: str = DEFAULT_TIMEZONE) -> datetime:
    return datetime.combine(day, t, ZoneInfo(tz))


def is_prime(day: date, t: time, tz: str = DEFAULT_TIMEZONE) -> bool:
    """Prime time, counting the previous day's windows that run past midnight (Sat 22–01)."""
    moment = local_moment(day, t, tz)
    return _inside(moment, prime_windows(day, tz) + prime_windows(day - timedelta(days=1), tz))


def is_secondary(day: date, t: time, tz: str = DEFAULT_TIMEZONE) -> bool:
    return _inside(local_moment(day, t, tz), secondary_windows(day, tz))


def minutes_of(t: time) -> int:
    return t.hour * 60 + t.minute


def format_time(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def parse_time(text: str) -> time:
    """Strict `HH:MM` (00–23, 00–59); ValueError otherwise."""
    if len(text) != 5 or text[2] != ":" or not (text[:2].isdigit() and text[3:].isdigit()):
        raise ValueError(f"time {text!r} is not HH:MM")
    hour, minute = int(text[:2]), int(text[3:])
    if hour > 23 or minute > 59:
        raise ValueError(f"time {text!r} is not a real time of day")
    return time(hour, minute)


#: The calendar EROS plans in. DOMAIN sets no bound; these are wide enough for any agency's
#: history and plans, and keep every date the code derives (a week ahead, 90 days back, a
#: learning's age) inside Python's calendar, so a mistyped year is INVALID_DATE, not a crash.
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2999, 12, 31)


class DateOutOfRange(ValueError):
    """A real date outside EARLIEST_DATE..LATEST_DATE."""


def parse_date(text: str) -> date:
    """Strict `YYYY-MM-DD` from EARLIEST_DATE to LATEST_DATE; ValueError otherwise."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"date {text!r} is not YYYY-MM-DD")
    day = date.fromisoformat(text)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise DateOutOfRange(f"date {text!r} is not between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


def checked_date(value: object, field: str) -> date:
    """`parse_date` for input from outside (options, tool arguments): INVALID_DATE naming `field`."""
    try:
        return parse_date(str(value).strip())
    except DateOutOfRange:
        reason = f"is outside the dates EROS plans for ({EARLIEST_DATE} to {LATEST_DATE})"
    except ValueError:
        reason = "is not a real YYYY-MM-DD date"
    raise InvalidDate(f"{field} {value!r} {reason}", details={"field": field})


#: Minutes between the base times a plan may use (`EROS_TIME_GRID`): 45 solves once on the
#: 45-minute grid; 15 then refines that plan on the quarter-hour grid (refine.py). The default
#: stays 45: docs/DECISIONS.md has the measured gain and cost of 15.
TIME_GRIDS = (45, 15)
DEFAULT_TIME_GRID = 45
