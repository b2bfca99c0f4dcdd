"""Base slots skip exactly the wall-clock times a DST change skips (only DST days are checked)."""

from __future__ import annotations

from datetime import date

import pytest

from eros.scheduling.problem import build_slots


def _times(week_start: date, zone: str, day: date, step: int = 3) -> set[int]:
    return {s.minute for s in build_slots(week_start, zone, step) if s.day_date == day}


@pytest.mark.parametrize("step", [3, 1])
def test_the_spring_forward_night_loses_its_skipped_slots_only(step: int) -> None:
    monday = date(2026, 3, 2)  # the week of Sunday 2026-03-08, when New York skips 02:00-02:59
    sunday, saturday = date(2026, 3, 8), date(2026, 3, 7)
    skipped = {m for m in _times(monday, "UTC", sunday, step) if 120 <= m < 180}
    assert skipped  # the grid has slots in that hour
    assert _times(monday, "America/New_York", sunday, step) == _times(monday, "UTC", sunday, step) - skipped
    assert _times(monday, "America/New_York", saturday, step) == _times(monday, "UTC", saturday, step)


def test_the_fall_back_night_keeps_every_slot() -> None:
    monday = date(2026, 10, 26)  # Sunday 2026-11-01 repeats 01:00-01:59 in New York
    sunday = date(2026, 11, 1)
    assert _times(monday, "America/New_York", sunday) == _times(monday, "UTC", sunday)
