"""Creator health: declining weeks, saturation, volume adjustment (DOMAIN §8)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from eros.rules.rounding import clamp

DEATH_SPIRAL_WEEKS = 4
WARNING_WEEKS = 2
HEALTH_WEEKS = 8
SATURATION_WINDOW_DAYS = 14
#: Two sends a day over the window is full saturation.
SATURATION_FULL_SENDS = 28
LOW_SATURATION = 30
HIGH_SATURATION = 70
#: Rankings and trends older than this are stale.
STALE_AFTER_DAYS = 14


class HealthStatus(StrEnum):
    HEALTHY = "HEALTHY"
    WARNING = "WARNING"
    DEATH_SPIRAL = "DEATH_SPIRAL"


@dataclass(frozen=True, slots=True)
class Health:
    status: HealthStatus
    declining_weeks: int
    saturation: float
    opportunity: float
    volume_adjustment: int
    score: float


def declining_weeks(weekly_earnings_oldest_first: Sequence[float]) -> int:
    """Consecutive week-over-week declines counted back from the newest week."""
    weeks = list(weekly_earnings_oldest_first)[-HEALTH_WEEKS:]
    count = 0
    for newer, older in zip(reversed(weeks), list(reversed(weeks))[1:], strict=False):
        if newer < older:
            count += 1
        else:
            break
    return count


def saturation(sends_last_14_days: int) -> float:
    return min(100.0, sends_last_14_days / SATURATION_FULL_SENDS * 100)


def assess_health(weekly_earnings_oldest_first: Sequence[float], sends_last_14_days: int) -> Health:
    declines = declining_weeks(weekly_earnings_oldest_first)
    if declines >= DEATH_SPIRAL_WEEKS:
        status = HealthStatus.DEATH_SPIRAL
    elif declines >= WARNING_WEEKS:
        status = HealthStatus.WARNING
    else:
        status = HealthStatus.HEALTHY
    sat = saturation(sends_last_14_days)
    return Health(
        status=status,
        declining_weeks=declines,
        saturation=round(sat, 1),
        opportunity=round(100 - sat, 1),
        volume_adjustment=volume_adjustment(status, sat),
        score=round(clamp(100 - 15 * declines - 0.3 * sat, 0, 100), 1),
    )


def volume_adjustment(status: HealthStatus, saturation_score: float) -> int:
    """Sends per day added to revenue and engagement targets (never retention)."""
    if status is HealthStatus.DEATH_SPIRAL or saturation_score > HIGH_SATURATION:
        return -1
    if status is HealthStatus.HEALTHY and saturation_score < LOW_SATURATION:
        return 1
    return 0
