"""Weekly volume, triggers and performance trends (DOMAIN §2, §7, §8, §13).

Numbers come from eros.rules (tiers, volume, calendar, health, triggers); this module only reads
the data they need and shapes the answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from eros.clock import iso_z, parse_instant
from eros.db.analyze import Send, load_history, previous_tier
from eros.db.triggers_repo import TriggerWrite, validation_errors
from eros.errors import InvalidInput
from eros.rules.calendar import DAY_NAMES
from eros.rules.health import STALE_AFTER_DAYS, Health, HealthStatus, volume_adjustment
from eros.rules.send_types import Category
from eros.rules.tiers import TIER_ORDER, MMRevenue, Tier, tier_for_revenue, tier_spec
from eros.rules.timing import DEFAULT_TIMEZONE, prime_windows
from eros.rules.triggers import MULTIPLIER_MAX, MULTIPLIER_MIN, Compound, compound, multiplier_in_bounds
from eros.rules.volume import week_targets
from eros.tools.env import ToolEnv, one_of, strict_date
from eros.tools.history import (
    creator_health,
    creator_mm_revenue,
    sends_in_last,
    weekly_earnings,
    weekly_totals,
)
from eros.validation.certificate import short_hash

PERIODS = {"7d": 7, "14d": 14, "30d": 30}
#: Trend confidence: enough sends in the period, recent enough data.
HIGH_CONFIDENCE_SENDS = 20
MODERATE_CONFIDENCE_SENDS = 10
FRESH_DATA_DAYS = 7
#: save_volume_triggers warns below/above these multipliers and on changes above this share.
EXTREME_LOW = 0.70
EXTREME_HIGH = 1.50
LARGE_CHANGE = 0.50
MAX_TRIGGERS_PER_CALL = 100


class VolumeAssignment(BaseModel):
    tier: str
    tier_source: str
    tier_confidence: str
    previous_tier: str | None
    mm_revenue: float
    mm_revenue_source: str
    base_ranges: dict[str, list[int]]
    weekly_total: list[int]


class HealthSummary(BaseModel):
    status: str
    declining_weeks: int
    saturation: float
    opportunity: float
    volume_adjustment: int
    score: float
    source: str = "current_state"


class TriggerRow(BaseModel):
    trigger_id: int
    content_type: str
    trigger_type: str
    adjustment_multiplier: float
    confidence: str
    reason: str
    metrics: dict[str, Any] = Field(default_factory=dict)
    detected_at: str
    first_detected_at: str
    expires_at: str
    detection_count: int
    days_until_expiry: int


class DayVolume(BaseModel):
    date: str
    day_name: str
    revenue: int
    engagement: int
    retention: int
    total: int
    calendar_boost: float
    calendar_reason: str | None
    weekend_boost: float
    day_multiplier: float
    prime_hours: list[str]


class VolumeConfig(BaseModel):
    creator_id: str
    page_name: str
    page_type: str
    timezone: str
    week_start: str
    week_end: str
    tier: str
    tier_source: str
    tier_confidence: str
    mm_revenue: float
    base_ranges: dict[str, list[int]]
    weekly_total_range: list[int]
    trigger_multiplier: float
    trigger_source: str
    trigger_multipliers_by_content_type: dict[str, float]
    health: HealthSummary
    days: list[DayVolume]
    weekly_totals: dict[str, int]
    calendar_boosts: list[dict[str, Any]]
    volume_config_hash: str
    fetched_at: str


class ActiveTriggers(BaseModel):
    creator_id: str
    page_name: str
    triggers: list[TriggerRow]
    count: int
    compound_multiplier: float
    multipliers_by_content_type: dict[str, float]
    has_conflicting_signals: bool
    conflicting_content_types: list[str]
    zero_triggers_reason: str | None
    fetched_at: str


class PerformanceTrends(BaseModel):
    creator_id: str
    page_name: str
    period: str
    total_sends: int
    total_earnings: float
    avg_revenue_per_purchase: float
    conversion_rate: float
    open_rate: float
    saturation: float
    opportunity: float
    declining_weeks: int
    health_status: str
    volume_adjustment: int
    revenue_wow_change: float | None
    views_wow_change: float | None
    weekly_earnings: list[float]
    data_confidence: str
    data_age_days: int | None
    is_stale: bool
    fetched_at: str


def volume_assignment(
    mm: MMRevenue, previous: Tier | None, tier_override: str | None = None
) -> VolumeAssignment:
    """The tier from MM revenue with hysteresis against the stored previous tier, or a what-if override."""
    if tier_override is not None:
        tier, source, confidence = Tier(tier_override), "override", "high"
    else:
        tier, source, confidence = tier_for_revenue(mm.amount, previous), mm.source.value, mm.confidence
    spec = tier_spec(tier)
    return VolumeAssignment(
        tier=tier.value,
        tier_source=source,
        tier_confidence=confidence,
        previous_tier=previous.value if previous else None,
        mm_revenue=mm.amount,
        mm_revenue_source=mm.source.value,
        base_ranges={cat.value: list(spec.ranges[cat]) for cat in Category},
        weekly_total=list(spec.weekly_total),
    )


def health_summary(health: Health, source: str = "current_state") -> HealthSummary:
    return HealthSummary(
        status=health.status.value,
        declining_weeks=health.declining_weeks,
        saturation=health.saturation,
        opportunity=health.opportunity,
        volume_adjustment=health.volume_adjustment,
        score=health.score,
        source=source,
    )


def trigger_rows(rows: Sequence[Mapping[Any, Any]], now: datetime) -> list[TriggerRow]:
    """The stored active triggers (`TriggerRepository.active`) as the tools answer them."""
    return [
        TriggerRow(
            trigger_id=r["trigger_id"],
            content_type=r["content_type"],
            trigger_type=r["trigger_type"],
            adjustment_multiplier=r["adjustment_multiplier"],
            confidence=r["confidence"],
            reason=r["reason"] or "",
            metrics=_metrics(r["metrics_json"]),
            detected_at=r["detected_at"],
            first_detected_at=r["first_detected_at"],
            expires_at=r["expires_at"],
            detection_count=r["detection_count"],
            days_until_expiry=(parse_instant(r["expires_at"]) - now).days,
        )
        for r in rows
    ]


def _metrics(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def trigger_compound(rows: list[TriggerRow]) -> Compound:
    return compound((r.content_type, r.adjustment_multiplier) for r in rows)


def _prime_hours(day: date, tz: str) -> list[str]:
    return [f"{start:%H:%M}-{end:%H:%M}" for start, end in prime_windows(day, tz)]


def _load(env: ToolEnv, creator_id: str) -> tuple[dict[str, Any], list[Send], list[TriggerRow], Tier | None]:
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        cid = creator["creator_id"]
        now = env.now()
        sends = load_history(uow.connection, cid, now)
        triggers = trigger_rows(uow.triggers.active(cid, now), now)
        previous = previous_tier(uow.connection, cid, now)
    return creator, sends, triggers, previous


def get_volume_config(
    env: ToolEnv,
    creator_id: str,
    week_start: str,
    tier_override: str | None = None,
    trigger_multiplier_override: float | None = None,
    health_status_override: str | None = None,
) -> VolumeConfig:
    """Per-day revenue/engagement/retention targets for the week (DOMAIN §2), with every input shown.

    The overrides answer what-if questions without touching the data: a tier, a global trigger
    multiplier (0.5–2.0) or a health status (HEALTHY, WARNING, DEATH_SPIRAL).
    """
    start = strict_date(week_start)
    if tier_override is not None and tier_override.strip().upper() not in TIER_ORDER:
        raise InvalidInput(
            f"tier_override {tier_override!r} is not one of {', '.join(TIER_ORDER)}", code="INVALID_TIER"
        )
    if trigger_multiplier_override is not None and not multiplier_in_bounds(trigger_multiplier_override):
        raise InvalidInput(
            f"trigger_multiplier_override must be between {MULTIPLIER_MIN:.2f} and {MULTIPLIER_MAX:.2f}",
            code="INVALID_MULTIPLIER",
        )
    statuses = tuple(s.value.lower() for s in HealthStatus)
    status_override = one_of(health_status_override, statuses, "health_status_override", "INVALID_HEALTH")
    creator, sends, triggers, previous = _load(env, creator_id)
    today = env.today()
    mm = creator_mm_revenue(sends, today, creator)
    assignment = volume_assignment(mm, previous, tier_override.strip().upper() if tier_override else None)
    health = health_summary(creator_health(sends, today))
    if status_override is not None:
        status = HealthStatus(status_override.upper())
        health = health.model_copy(
            update={
                "status": status.value,
                "volume_adjustment": volume_adjustment(status, health.saturation),
                "source": "override",
            }
        )
    comp = trigger_compound(triggers)
    multiplier = (
        comp.global_multiplier if trigger_multiplier_override is None else trigger_multiplier_override
    )
    smoothing_revenue = None if tier_override else mm.amount
    targets = week_targets(
        start, assignment.tier, creator["page_type"], multiplier, health.volume_adjustment, smoothing_revenue
    )
    tz = creator.get("timezone") or DEFAULT_TIMEZONE
    days = [
        DayVolume(
            date=t.day.isoformat(),
            day_name=DAY_NAMES[t.day.weekday()],
            revenue=t.revenue,
            engagement=t.engagement,
            retention=t.retention,
            total=t.total,
            calendar_boost=t.calendar_boost,
            calendar_reason=t.calendar_reason,
            weekend_boost=t.weekend_boost,
            day_multiplier=round(t.day_multiplier, 3),
            prime_hours=_prime_hours(t.day, tz),
        )
        for t in targets
    ]
    boosts = [
        {"date": d.date, "boost": d.calendar_boost, "reason": d.calendar_reason}
        for d in days
        if d.calendar_reason
    ]
    hash_input = "|".join(
        [
            assignment.tier,
            f"{multiplier:.4f}",
            str(health.volume_adjustment),
            start.isoformat(),
            ",".join(sorted(d.date for d in days if d.calendar_reason)) or "none",
        ]
    )
    return VolumeConfig(
        creator_id=creator["creator_id"],
        page_name=creator["page_name"],
        page_type=creator["page_type"],
        timezone=tz,
        week_start=start.isoformat(),
        week_end=days[-1].date,
        tier=assignment.tier,
        tier_source=assignment.tier_source,
        tier_confidence=assignment.tier_confidence,
        mm_revenue=mm.amount,
        base_ranges=assignment.base_ranges,
        weekly_total_range=assignment.weekly_total,
        trigger_multiplier=round(multiplier, 4),
        trigger_source="override" if trigger_multiplier_override is not None else "current_state",
        trigger_multipliers_by_content_type=comp.per_content_type,
        health=health,
        days=days,
        weekly_totals={
            "revenue": sum(d.revenue for d in days),
            "engagement": sum(d.engagement for d in days),
            "retention": sum(d.retention for d in days),
            "total": sum(d.total for d in days),
        },
        calendar_boosts=boosts,
        volume_config_hash=short_hash(hash_input),
        fetched_at=env.fetched_at(),
    )


def get_active_volume_triggers(env: ToolEnv, creator_id: str) -> ActiveTriggers:
    """Active triggers, their compound multiplier per content type and globally, and conflicts (DOMAIN §7)."""
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        now = env.now()
        rows = trigger_rows(uow.triggers.active(creator["creator_id"], now), now)
        ever = uow.triggers.has_any(creator["creator_id"])
    comp = trigger_compound(rows)
    reason = None
    if not rows:
        reason = "all_expired_or_inactive" if ever else "never_had_triggers"
    return ActiveTriggers(
        creator_id=creator["creator_id"],
        page_name=creator["page_name"],
        triggers=rows,
        count=len(rows),
        compound_multiplier=comp.global_multiplier,
        multipliers_by_content_type=comp.per_content_type,
        has_conflicting_signals=comp.has_conflicting_signals,
        conflicting_content_types=list(comp.conflicts),
        zero_triggers_reason=reason,
        fetched_at=env.fetched_at(),
    )


def _change(newer: float, older: float) -> float | None:
    return round((newer - older) / older, 4) if older > 0 else None


def get_performance_trends(env: ToolEnv, creator_id: str, period: str = "14d") -> PerformanceTrends:
    """Recent performance and health over 7, 14 or 30 days; rates are fractions 0–1."""
    key = (period or "").strip().lower()
    if key not in PERIODS:
        raise InvalidInput(f"period {period!r} is not one of {', '.join(PERIODS)}", code="INVALID_PERIOD")
    creator, sends, _, _ = _load(env, creator_id)
    today = env.today()
    window = sends_in_last(sends, today, PERIODS[key])
    sent = sum(s.sent for s in window)
    purchased = sum(s.purchased for s in window)
    earnings = sum(s.earnings for s in window)
    health = creator_health(sends, today)
    weeks = weekly_earnings(sends, today)
    views = weekly_totals(sends, today, lambda s: float(s.viewed))
    age = (today - sends[-1].sent_date).days if sends else None
    if len(window) >= HIGH_CONFIDENCE_SENDS and age is not None and age <= FRESH_DATA_DAYS:
        confidence = "high"
    elif len(window) >= MODERATE_CONFIDENCE_SENDS or (age is not None and age <= STALE_AFTER_DAYS):
        confidence = "moderate"
    else:
        confidence = "low"
    return PerformanceTrends(
        creator_id=creator["creator_id"],
        page_name=creator["page_name"],
        period=key,
        total_sends=len(window),
        total_earnings=round(earnings, 2),
        avg_revenue_per_purchase=round(earnings / purchased, 2) if purchased else 0.0,
        conversion_rate=round(purchased / sent, 4) if sent else 0.0,
        open_rate=round(sum(s.viewed for s in window) / sent, 4) if sent else 0.0,
        saturation=health.saturation,
        opportunity=health.opportunity,
        declining_weeks=health.declining_weeks,
        health_status=health.status.value,
        volume_adjustment=health.volume_adjustment,
        revenue_wow_change=_change(weeks[-1], weeks[-2]),
        views_wow_change=_change(views[-1], views[-2]),
        weekly_earnings=weeks,
        data_confidence=confidence,
        data_age_days=age,
        is_stale=age is None or age > STALE_AFTER_DAYS,
        fetched_at=env.fetched_at(),
    )


class SavedTriggers(BaseModel):
    creator_id: str
    page_name: str
    triggers_saved: int
    created_ids: list[int]
    updated_ids: list[int]
    warnings: list[str]
    persisted_at: str


def _trigger_write(i: int, raw: Any, problems: list[str]) -> TriggerWrite | None:
    """One caller-supplied trigger as a TriggerWrite, or None with its problems appended."""
    if not isinstance(raw, dict):
        problems.append(f"trigger[{i}]: must be an object")
        return None
    multiplier = raw.get("adjustment_multiplier")
    if isinstance(multiplier, bool) or not isinstance(multiplier, int | float):
        problems.append(f"trigger[{i}]: adjustment_multiplier must be a number")
        return None
    metrics = raw.get("metrics", raw.get("metrics_json", {}))
    expires = raw.get("expires_at")
    try:
        expires_at = parse_instant(str(expires)) if expires else None
    except ValueError:
        problems.append(f"trigger[{i}]: expires_at {expires!r} is not an ISO-8601 date-time")
        return None
    return TriggerWrite(
        content_type=str(raw.get("content_type") or "").strip(),
        trigger_type=str(raw.get("trigger_type") or "").strip().upper(),
        adjustment_multiplier=float(multiplier),
        confidence=str(raw.get("confidence") or "moderate").strip().lower(),
        reason=str(raw.get("reason") or ""),
        metrics=metrics if isinstance(metrics, dict) else {},
        expires_at=expires_at,
    )


def _trigger_warnings(writes: list[TriggerWrite], before: dict[tuple[str, str], float]) -> list[str]:
    """Extreme multipliers, direction flips and large changes against the stored value (DOMAIN §13)."""
    warnings = []
    for w in writes:
        label = f"{w.content_type}/{w.trigger_type}"
        if w.adjustment_multiplier < EXTREME_LOW or w.adjustment_multiplier > EXTREME_HIGH:
            warnings.append(
                f"{label}: extreme multiplier {w.adjustment_multiplier:.2f}; verify it is intended"
            )
        old = before.get((w.content_type, w.trigger_type))
        if old is None:
            continue
        if (old - 1) * (w.adjustment_multiplier - 1) < 0:
            warnings.append(f"{label}: direction flip {old:.2f} → {w.adjustment_multiplier:.2f}")
        elif old > 0 and abs(w.adjustment_multiplier - old) / old > LARGE_CHANGE:
            warnings.append(f"{label}: large change {old:.2f} → {w.adjustment_multiplier:.2f}")
    return warnings


def save_volume_triggers(env: ToolEnv, creator_id: str, triggers: list[Any]) -> SavedTriggers:
    """Upsert detected triggers (one row per creator, content type and trigger type; DOMAIN §7).

    The whole batch is rejected (VALIDATION_ERROR, every problem listed) if any trigger is invalid.
    """
    if len(triggers) > MAX_TRIGGERS_PER_CALL:
        raise InvalidInput(
            f"at most {MAX_TRIGGERS_PER_CALL} triggers per call, got {len(triggers)}",
            code="TOO_MANY_TRIGGERS",
        )
    problems: list[str] = []
    writes: list[TriggerWrite] = []
    for i, raw in enumerate(triggers):
        write = _trigger_write(i, raw, problems)
        if write is not None:
            writes.append(write)
            problems.extend(p.replace("trigger[0]", f"trigger[{i}]", 1) for p in validation_errors([write]))
    now = env.now()
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        if problems:
            raise InvalidInput(
                "Validation failed: " + "; ".join(problems), details={"validation_errors": problems}
            )
        before = uow.triggers.multipliers(creator["creator_id"])
        result = uow.triggers.upsert_triggers(creator["creator_id"], writes, now)
        uow.commit()
    return SavedTriggers(
        creator_id=creator["creator_id"],
        page_name=creator["page_name"],
        triggers_saved=len(result.created_ids) + len(result.updated_ids),
        created_ids=list(result.created_ids),
        updated_ids=list(result.updated_ids),
        warnings=_trigger_warnings(writes, before),
        persisted_at=iso_z(now),
    )
