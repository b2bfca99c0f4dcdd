"""What each v4 phase hands to the next: small immutable values, one per phase.

A slot grows as it moves down the pipeline (send type → content and caption → time → price),
always by `dataclasses.replace`, so an earlier phase's output is never changed by a later one.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from eros.models import CaptionOption, CreatorContext, ScheduleItem, ValidationResult
from eros.rules import seeding
from eros.rules.triggers import DetectedTrigger


def seeded_rng(creator_id: str, week_start: date, purpose: str) -> random.Random:
    """The only source of randomness in v4 (ARCHITECTURE D2): seeded from creator, week and purpose."""
    return seeding.seeded_rng("v4", creator_id, week_start, purpose)


@dataclass(frozen=True, slots=True)
class Preflight:
    """Phase 1: the creator's context (same shape as v5's), its volume plan and the checks' verdict."""

    context: CreatorContext
    volume: Mapping[str, Any]
    status: str
    warnings: tuple[str, ...]
    usable_captions: int


@dataclass(frozen=True, slots=True)
class RetentionRisk:
    """Phase 2: churn risk 0–100, its tier, and the extra retention sends per day it asks for."""

    score: float
    tier: str
    components: Mapping[str, float]
    extra_retention_per_day: int


@dataclass(frozen=True, slots=True)
class Performance:
    """Phase 3: fused saturation/opportunity, confidence and the content types ranked for rotation."""

    saturation: float
    opportunity: float
    confidence: float
    divergence: bool
    horizons: Mapping[str, Mapping[str, float]]
    content_ranking: tuple[str, ...]
    content_weights: Mapping[str, float]
    detected_triggers: tuple[DetectedTrigger, ...] = ()


@dataclass(frozen=True, slots=True)
class DayQuota:
    day: date
    revenue: int
    engagement: int
    retention: int


@dataclass(frozen=True, slots=True)
class Slot:
    """One planned send; later phases fill content, caption, time and price."""

    day: date
    send_type: str
    strategy: str = ""
    content_type: str | None = None
    caption: CaptionOption | None = None
    caption_level: str | None = None
    caption_score: float | None = None
    time: time | None = None

    @property
    def moment(self) -> datetime:
        """Wall-clock start as a naive datetime (only valid once timed)."""
        if self.time is None:
            raise ValueError(f"{self.send_type} on {self.day} has no time yet")
        return datetime.combine(self.day, self.time)


@dataclass(frozen=True, slots=True)
class Allocation:
    """Phase 4: the week's slots with the daily strategies (`strategy_metadata`) and repairs made."""

    slots: tuple[Slot, ...]
    strategies: Mapping[str, str]
    repairs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaptionPlan:
    """Phase 5: every slot with content type and caption; how many used each ladder level."""

    slots: tuple[Slot, ...]
    levels: Mapping[str, int]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TimedPlan:
    """Phase 6: slots with times, in time order; slots no feasible time was found for."""

    slots: tuple[Slot, ...]
    dropped: tuple[Slot, ...] = ()


@dataclass(frozen=True, slots=True)
class Followup:
    parent: int
    day: date
    time: time
    delay_minutes: int
    caption: CaptionOption | None = None


@dataclass(frozen=True, slots=True)
class FollowupPlan:
    """Phase 7: follow-ups pointing at their parent's index in the timed slots."""

    followups: tuple[Followup, ...]
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Assembled:
    """Phase 8: the flat schedule, sorted by date and time, with the assembler's warnings."""

    items: tuple[ScheduleItem, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Priced:
    """Phase 9: items with prices and expected revenue."""

    items: tuple[ScheduleItem, ...]
    expected_revenue: float
    adjustments: Mapping[int, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Gate:
    """Phase 10: the rule engine's verdict and what `save_schedule` answered (None on a dry run)."""

    validation: ValidationResult
    saved: Mapping[str, Any] | None
