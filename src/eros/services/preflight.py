"""Preflight: everything the generator may know about a creator's week, in at most four MCP calls.

The v5 pipeline's first phase (ARCHITECTURE §2, runbook §1). It reads through the eros-db
tools only (D3), four calls made concurrently: one bundled `get_creator_profile` (creator,
analytics, tier, rankings, vault, persona), the active volume triggers, the performance trends
and the captions (`get_captions`: media captions per usable content type and the other send
types' captions in one call). A failing triggers or trends call degrades the context (recorded in
`context.degraded`) instead of failing the run; an unknown or inactive creator fails with
CREATOR_NOT_FOUND / CREATOR_INACTIVE.

The week may start on any day (the rulebook's week is `week_start … week_start + 6`, and the
runbook itself plans the week of Tuesday 2026-01-06); it must be a strict `YYYY-MM-DD` date.

`context.volume_config` has the shape of `get_volume_config`'s answer and is computed the same
way (`eros.rules.volume.week_targets` over the profile's tier and MM revenue, the compound
trigger multiplier and the health adjustment), so it needs no fifth call.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from eros.clock import Clock
from eros.errors import CreatorNotFound, ErosError, ToolCallError
from eros.infra.learnings_file import load_learnings_with_problems
from eros.models import ActiveTrigger, CaptionOption, ContentRanking, CreatorContext, Learning
from eros.ports import ToolClient
from eros.rules.calendar import DAY_NAMES
from eros.rules.timing import DEFAULT_TIMEZONE, checked_date
from eros.rules.volume import week_targets

_T = TypeVar("_T")

#: The four calls preflight makes, in order (DOMAIN §13: "at most 4 calls in preflight").
PREFLIGHT_TOOLS = (
    "get_creator_profile",
    "get_active_volume_triggers",
    "get_performance_trends",
    "get_captions",
)
#: Captions fetched per content type (PPV-like types) and per other send type: enough for a
#: PREMIUM week (≤ 28 sends of one type) to use each caption once.
CAPTIONS_PER_CONTENT_TYPE = 20
CAPTIONS_PER_SEND_TYPE = 40
#: Health looks back 14 days for saturation (DOMAIN §8).
TRENDS_PERIOD = "14d"


def parse_week_start(value: str | date) -> date:
    """A strict `YYYY-MM-DD` (or a date); INVALID_DATE otherwise. Any weekday may start a week."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return checked_date(value, "week_start")


@contextlib.asynccontextmanager
async def client_session(resource: object) -> AsyncIterator[None]:
    """Hold a client's server session open for a batch of calls when it has one (stdio).

    In-process clients (and runners over them) have no session; for them this does nothing.
    """
    if isinstance(resource, contextlib.AbstractAsyncContextManager):
        async with resource:
            yield
    else:
        yield


@dataclass(frozen=True, slots=True)
class PreflightData:
    """The raw answers of the four calls; `None` where a degradable call failed."""

    profile: Mapping[str, Any]
    triggers: Mapping[str, Any] | None
    trends: Mapping[str, Any] | None
    captions: Mapping[str, Any]


class PreflightEngine:
    """Builds the immutable CreatorContext for one creator-week; `clock` times it.

    The runbook's `PreflightEngine(mcp)`, with the configured clock, is `eros.preflight.PreflightEngine`.
    """

    def __init__(
        self,
        mcp: ToolClient,
        *,
        clock: Clock,
        learnings_path: Path | str | None = None,
    ) -> None:
        self.mcp = mcp
        self.learnings_path = Path(learnings_path) if learnings_path is not None else None
        self.clock = clock

    async def execute(self, creator_id: str, week_start: str | date) -> CreatorContext:
        """Fetch, check and assemble; raises ErosError (with a code) when the week cannot be planned."""
        week = parse_week_start(week_start)
        started = self.clock.monotonic()
        calls_before = self.mcp.calls
        data, degraded = await self._fetch(creator_id)
        creator = data.profile["creator"]
        learnings, skipped = self._learnings(
            str(creator["creator_id"]),
            str(creator["page_name"]),
            str(data.profile["volume_assignment"]["tier"]),
            str(creator["page_type"]),
        )
        return build_context(
            data,
            week_start=week,
            learnings=learnings,
            degraded=(*degraded, *skipped),
            mcp_calls=self.mcp.calls - calls_before,
            duration_ms=(self.clock.monotonic() - started) * 1000,
        )

    async def _fetch(self, creator_id: str) -> tuple[PreflightData, tuple[str, ...]]:
        """All four calls at once (one round trip over stdio).

        The caption tool works out the usable content types (vault minus AVOID) itself, so it
        need not wait for the profile. The profile's verdict on the creator (not found, inactive)
        wins over any other call's error.
        """
        answers = await asyncio.gather(
            self._profile(creator_id),
            self.mcp.call_tool(
                "get_captions",
                {
                    "creator_id": creator_id,
                    "limit_per_type": CAPTIONS_PER_CONTENT_TYPE,
                    "limit_per_send_type": CAPTIONS_PER_SEND_TYPE,
                },
            ),
            self._degradable("get_active_volume_triggers", {"creator_id": creator_id}),
            self._degradable("get_performance_trends", {"creator_id": creator_id, "period": TRENDS_PERIOD}),
            return_exceptions=True,
        )
        profile, captions = _unwrap(answers[0]), _unwrap(answers[1])
        triggers, trends = _unwrap(answers[2]), _unwrap(answers[3])
        degraded = tuple(reason for _, reason in (triggers, trends) if reason)
        return PreflightData(profile, triggers[0], trends[0], captions), degraded

    async def _profile(self, creator_id: str) -> Mapping[str, Any]:
        try:
            profile = await self.mcp.call_tool(
                "get_creator_profile",
                {
                    "creator_id": creator_id,
                    "include_analytics": True,
                    "include_volume": True,
                    "include_content_rankings": True,
                    "include_vault": True,
                    "include_persona": True,
                },
            )
        except ToolCallError as exc:
            if exc.code == CreatorNotFound.code:
                raise CreatorNotFound(exc.message, details={"creator_id": creator_id}) from exc
            raise
        if not profile["creator"]["is_active"]:
            raise CreatorNotFound(
                f"Creator {creator_id!r} is not active; activate it before planning a week",
                code="CREATOR_INACTIVE",
                details={"creator_id": creator_id},
            )
        return profile

    async def _degradable(
        self, tool: str, arguments: dict[str, Any]
    ) -> tuple[Mapping[str, Any] | None, str | None]:
        """A call the run survives without: its failure becomes a `degraded` note, not an exception."""
        try:
            return await self.mcp.call_tool(tool, arguments), None
        except ErosError as exc:
            return None, f"{tool}: [{exc.code}] {exc.message}"

    def _learnings(
        self, creator_id: str, page_name: str, tier: str, page_type: str
    ) -> tuple[tuple[Learning, ...], tuple[str, ...]]:
        """The LEARNINGS.md rules that apply to this creator (none without a path or a file), and a
        degraded note per problem: a bad entry is skipped, never a failed week (issue 11)."""
        if self.learnings_path is None:
            return (), ()
        loaded = load_learnings_with_problems(
            self.learnings_path, creator_id, page_name, tier, page_type=page_type
        )
        return loaded.learnings, tuple(f"learnings: [LEARNINGS_INVALID] {p}" for p in loaded.problems)


def _unwrap(answer: _T | BaseException) -> _T:
    """A gathered answer, or its exception raised (in the order the caller unwraps them)."""
    if isinstance(answer, BaseException):
        raise answer
    return answer


def _vault_types(profile: Mapping[str, Any]) -> list[str]:
    return [str(name) for name in (profile.get("allowed_content_types") or {}).get("allowed_type_names", [])]


def _avoid_types(profile: Mapping[str, Any]) -> list[str]:
    return [str(name) for name in (profile.get("content_rankings") or {}).get("avoid_types", [])]


def _rankings(profile: Mapping[str, Any]) -> tuple[ContentRanking, ...]:
    rows = (profile.get("content_rankings") or {}).get("rankings", [])
    return tuple(ContentRanking.model_validate(row) for row in rows)


def _triggers(answer: Mapping[str, Any] | None) -> tuple[ActiveTrigger, ...]:
    if answer is None:
        return ()
    return tuple(
        sorted(
            (
                ActiveTrigger(
                    content_type=str(row["content_type"]),
                    trigger_type=str(row["trigger_type"]),
                    multiplier=float(row["adjustment_multiplier"]),
                    confidence=str(row.get("confidence", "moderate")),
                )
                for row in answer.get("triggers", [])
            ),
            key=lambda t: (t.content_type, t.trigger_type),
        )
    )


def _captions(answer: Mapping[str, Any]) -> tuple[CaptionOption, ...]:
    """Every caption once, in the tool's ranking order (fresh first, then least recently used)."""
    seen: set[int] = set()
    out: list[CaptionOption] = []
    for row in answer.get("captions", []):
        option = CaptionOption.model_validate(row)
        if option.caption_id not in seen:
            seen.add(option.caption_id)
            out.append(option)
    return tuple(out)


#: Health fields the trends call reports under other names than the profile's health summary.
_TRENDS_HEALTH_FIELDS = {
    "status": "health_status",
    "declining_weeks": "declining_weeks",
    "saturation": "saturation",
    "opportunity": "opportunity",
    "volume_adjustment": "volume_adjustment",
}


def _health(profile: Mapping[str, Any], trends: Mapping[str, Any] | None) -> dict[str, Any]:
    """DOMAIN §8 health: the profile's summary, refreshed by the trends call when it answered.

    Both come from the same tool-side computation over the last 90 days; the trends call adds
    its period and data confidence. Without it the profile's summary stands (degraded, not failed).
    """
    health = dict(profile.get("health") or {})
    if trends is not None:
        health.update({key: trends[src] for key, src in _TRENDS_HEALTH_FIELDS.items() if src in trends})
        health["source"] = f"performance_trends:{trends.get('period', TRENDS_PERIOD)}"
    return health


def volume_config(
    week_start: date,
    assignment: Mapping[str, Any],
    page_type: str,
    triggers: Mapping[str, Any] | None,
    health: Mapping[str, Any],
) -> dict[str, Any]:
    """The week's volume, shaped like `get_volume_config`'s answer (DOMAIN §2 "Daily targets").

    The same inputs and the same `week_targets` as that tool: tier and MM revenue from the
    profile's volume assignment (smoothing uses the MM revenue), the compound trigger multiplier
    (1.0 when triggers are unavailable) and the health adjustment.
    """
    tier = str(assignment["tier"])
    mm_revenue = float(assignment["mm_revenue"])
    multiplier = float(triggers["compound_multiplier"]) if triggers is not None else 1.0
    adjustment = int(health.get("volume_adjustment", 0))
    days = week_targets(week_start, tier, page_type, multiplier, adjustment, mm_revenue)
    return {
        "tier": tier,
        "tier_source": assignment.get("tier_source"),
        "tier_confidence": assignment.get("tier_confidence"),
        "mm_revenue": mm_revenue,
        "base_ranges": dict(assignment.get("base_ranges") or {}),
        "weekly_total_range": list(assignment.get("weekly_total") or []),
        "trigger_multiplier": round(multiplier, 4),
        "trigger_source": "current_state" if triggers is not None else "unavailable",
        "health_adjustment": adjustment,
        "days": [
            {
                "date": d.day.isoformat(),
                "day_name": DAY_NAMES[d.day.weekday()],
                "revenue": d.revenue,
                "engagement": d.engagement,
                "retention": d.retention,
                "total": d.total,
                "calendar_boost": d.calendar_boost,
                "calendar_reason": d.calendar_reason,
                "weekend_boost": d.weekend_boost,
                "day_multiplier": round(d.day_multiplier, 3),
            }
            for d in days
        ],
        "weekly_totals": {
            "revenue": sum(d.revenue for d in days),
            "engagement": sum(d.engagement for d in days),
            "retention": sum(d.retention for d in days),
            "total": sum(d.total for d in days),
        },
    }


def build_context(
    data: PreflightData,
    *,
    week_start: date,
    learnings: Sequence[Learning] = (),
    degraded: Sequence[str] = (),
    mcp_calls: int = 0,
    duration_ms: float = 0.0,
) -> CreatorContext:
    """Assemble the context from the four answers (pure: the same answers give the same context)."""
    profile = data.profile
    creator = profile["creator"]
    rankings_block = profile.get("content_rankings") or {}
    health = _health(profile, data.trends)
    page_type = str(creator["page_type"])
    return CreatorContext(
        creator_id=str(creator["creator_id"]),
        page_name=str(creator["page_name"]),
        display_name=str(creator.get("display_name") or ""),
        page_type=page_type,
        timezone=str(creator.get("timezone") or DEFAULT_TIMEZONE),
        fan_count=int(creator.get("current_fan_count") or 0),
        base_price=creator.get("base_price"),
        ab_test_running=bool(creator.get("ab_test_running", False)),
        week_start=week_start,
        volume_config=volume_config(
            week_start, profile["volume_assignment"], page_type, data.triggers, health
        ),
        vault_types=tuple(sorted(_vault_types(profile))),
        avoid_types=tuple(sorted(_avoid_types(profile))),
        top_types=tuple(sorted(str(t) for t in rankings_block.get("top_types", []))),
        rankings=_rankings(profile),
        rankings_stale=bool(rankings_block.get("is_stale", False)),
        triggers=_triggers(data.triggers),
        trigger_multipliers=dict((data.triggers or {}).get("multipliers_by_content_type") or {}),
        health=health,
        analytics=dict(profile.get("analytics") or {}),
        trends=dict(data.trends or {}),
        persona=dict(profile.get("persona") or {}),
        captions=_captions(data.captions),
        learnings=tuple(learnings),
        degraded=tuple(degraded),
        mcp_calls_made=mcp_calls,
        preflight_duration_ms=round(duration_ms, 3),
    )
