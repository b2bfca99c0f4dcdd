"""Calendar and weekend boosts (DOMAIN §2)."""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta

HOLIDAY_BOOST = 1.30
PAYDAY_BOOST = 1.20
WEEKEND_BOOST = 1.10
#: Friday, Saturday, Sunday (date.weekday()).
WEEKEND_DAYS = frozenset({4, 5, 6})
FIXED_HOLIDAYS = frozenset({(1, 1), (2, 14), (7, 4), (10, 31), (12, 25)})
DAYS_PER_WEEK = 7
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def thanksgiving(year: int) -> date:
    """Fourth Thursday of November."""
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3)


def is_holiday(day: date) -> bool:
    tg = thanksgiving(day.year)
    return (day.month, day.day) in FIXED_HOLIDAYS or day in (tg, tg + timedelta(days=1))


def is_payday(day: date) -> bool:
    last = _cal.monthrange(day.year, day.month)[1]
    return day.day in (1, 15, last)


def calendar_boost(day: date) -> tuple[float, str | None]:
    """Holiday beats payday; they never stack. Returns the boost and why."""
    if is_holiday(day):
        return HOLIDAY_BOOST, "holiday"
    if is_payday(day):
        return PAYDAY_BOOST, "payday"
    return 1.0, None


def weekend_boost(day: date) -> float:
    return WEEKEND_BOOST if day.weekday() in WEEKEND_DAYS else 1.0


def day_multiplier(day: date) -> float:
    return calendar_boost(day)[0] * weekend_boost(day)


def week_dates(week_start: date) -> list[date]:
    return [week_start + timedelta(days=i) for i in range(DAYS_PER_WEEK)]


def next_monday(today: date) -> date:
    """The natural week to plan: the Monday after today (a Monday plans the following week)."""
    return today + timedelta(days=7 - today.weekday())
