"""The one clock (ARCHITECTURE D9): nothing reads the wall clock except through a Clock."""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from eros.errors import ConfigError
from eros.rules.timing import EARLIEST_DATE, LATEST_DATE

NOW_ENV = "EROS_NOW"


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a monotonic scale, for durations."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return _time.perf_counter()


class FixedClock:
    """A clock that only moves when told to: tests, simulation and `EROS_NOW`.

    Durations still come from the real monotonic counter unless `frozen_durations`,
    so a pinned date does not make every run look instantaneous.
    """

    def __init__(self, at: datetime, *, frozen_durations: bool = False) -> None:
        self._now = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
        self._frozen = frozen_durations
        self._mono = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono if self._frozen else _time.perf_counter()

    def advance(self, delta: timedelta) -> None:
        self._now += delta
        self._mono += delta.total_seconds()

    def set(self, at: datetime) -> None:
        self._now = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def parse_instant(text: str) -> datetime:
    """ISO date-time (a trailing Z or offset; naive means UTC) or a bare date (midnight UTC)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def clock_from_env(environ: Mapping[str, str]) -> Clock:
    """`EROS_NOW` pins the clock for every command; otherwise the system clock."""
    pinned = environ.get(NOW_ENV)
    if not pinned:
        return SystemClock()
    try:
        moment = parse_instant(pinned)
    except ValueError:
        moment = None
    if moment is None or not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
        raise ConfigError(
            f"{NOW_ENV}={pinned!r} is not an ISO date or date-time from {EARLIEST_DATE} to {LATEST_DATE}",
            code="INVALID_CONFIG",
        )
    return FixedClock(moment)


def iso_z(moment: datetime) -> str:
    """UTC ISO-8601 with a Z, the one timestamp format stored and returned (DOMAIN units)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
