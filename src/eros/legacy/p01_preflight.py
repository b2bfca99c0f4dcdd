"""Phase 1 — preflight validation (v3 Ph 0 `preflight-checker`, BLOCKING).

One tool call per piece of data, as the old system made them before v5 bundled them:
creator, analytics, volume config, rankings, vault, persona, triggers, trends, and a probe of
the usable caption pool. The answers are assembled by the same `build_context` v5's preflight
uses, so both pipelines see one `CreatorContext`; the volume plan is `get_volume_config`'s own.

Blocking checks: inactive creator, empty usable vault, too few usable captions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from eros.errors import CreatorNotFound, ErosError
from eros.legacy.constants import LOW_CONFIDENCE_WARNING, MIN_USABLE_CAPTIONS, POOL_PROBE_LIMIT
from eros.legacy.state import Preflight
from eros.ports import ToolClient
from eros.services.preflight import PreflightData, build_context

_NO_SECTIONS = {
    "include_analytics": False,
    "include_volume": False,
    "include_content_rankings": False,
    "include_vault": False,
    "include_persona": False,
}


class PreflightBlocked(ErosError):
    """A blocking check failed: the week cannot be planned until a person fixes the data."""

    code = "PREFLIGHT_BLOCKED"


async def fetch(client: ToolClient, creator_id: str, week_start: date) -> dict[str, Mapping[str, Any]]:
    """The unbundled calls, one per piece of data; an inactive creator stops before the rest."""
    profile = await client.call_tool("get_creator_profile", {"creator_id": creator_id, **_NO_SECTIONS})
    creator = profile["creator"]
    check_active(creator)
    cid = str(creator["creator_id"])
    answers: dict[str, Mapping[str, Any]] = {"profile": profile}
    answers["analytics"] = await client.call_tool(
        "get_creator_profile", {"creator_id": cid, **_NO_SECTIONS, "include_analytics": True}
    )
    answers["volume"] = await client.call_tool(
        "get_volume_config", {"creator_id": cid, "week_start": week_start.isoformat()}
    )
    answers["rankings"] = await client.call_tool("get_content_type_rankings", {"creator_id": cid})
    answers["vault"] = await client.call_tool("get_allowed_content_types", {"creator_id": cid})
    answers["persona"] = await client.call_tool("get_persona_profile", {"creator_id": cid})
    answers["triggers"] = await client.call_tool("get_active_volume_triggers", {"creator_id": cid})
    answers["trends"] = await client.call_tool("get_performance_trends", {"creator_id": cid, "period": "14d"})
    usable = usable_content_types(answers["vault"], answers["rankings"])
    answers["captions"] = (
        await client.call_tool(
            "get_batch_captions_by_content_types",
            {"creator_id": cid, "content_types": usable[:50], "limit_per_type": POOL_PROBE_LIMIT},
        )
        if usable
        else {"captions_by_type": {}}
    )
    return answers


def check_active(creator: Mapping[str, Any]) -> None:
    if not creator.get("is_active", True):
        raise CreatorNotFound(
            f"Creator {creator.get('creator_id')!r} is not active; activate it before planning a week",
            code="CREATOR_INACTIVE",
            details={"creator_id": str(creator.get("creator_id"))},
        )


def usable_content_types(vault: Mapping[str, Any], rankings: Mapping[str, Any]) -> list[str]:
    """Vault minus AVOID, by name."""
    avoid = set(rankings.get("avoid_types") or [])
    return sorted(name for name in vault.get("allowed_type_names") or [] if name not in avoid)


def usable_captions(captions: Mapping[str, Any]) -> int:
    """Captions the tools would serve for the usable content types (their pool sizes)."""
    return sum(
        int(g["pool_stats"]["total_available"]) for g in (captions.get("captions_by_type") or {}).values()
    )


def blocking_checks(usable_types: list[str], caption_count: int) -> list[str]:
    """What makes the week impossible to plan (the creator's activity is checked on the first call)."""
    blockers = []
    if not usable_types:
        blockers.append("the vault holds no usable content type (empty, or every type ranked AVOID)")
    if caption_count < MIN_USABLE_CAPTIONS:
        blockers.append(f"only {caption_count} usable captions; at least {MIN_USABLE_CAPTIONS} are needed")
    return blockers


def assemble(
    answers: Mapping[str, Mapping[str, Any]], week_start: date, mcp_calls: int, duration_ms: float
) -> Preflight:
    """Checks, then the context: the separate answers laid out as the bundled profile would hold them."""
    usable = usable_content_types(answers["vault"], answers["rankings"])
    count = usable_captions(answers["captions"])
    blockers = blocking_checks(usable, count)
    creator = answers["profile"]["creator"]
    if blockers:
        raise PreflightBlocked(
            f"Preflight blocked {creator['creator_id']}: " + "; ".join(blockers),
            details={"creator_id": str(creator["creator_id"]), "blockers": blockers},
        )
    volume = answers["volume"]
    profile = {
        "creator": creator,
        "analytics": answers["analytics"].get("analytics"),
        "volume_assignment": {
            "tier": volume["tier"],
            "tier_source": volume.get("tier_source"),
            "tier_confidence": volume.get("tier_confidence"),
            "mm_revenue": volume["mm_revenue"],
            "base_ranges": volume.get("base_ranges"),
            "weekly_total": volume.get("weekly_total_range"),
        },
        "health": volume.get("health"),
        "content_rankings": answers["rankings"],
        "allowed_content_types": answers["vault"],
        "persona": answers["persona"],
    }
    context = build_context(
        PreflightData(profile, answers["triggers"], answers["trends"], {"captions": []}),
        week_start=week_start,
        mcp_calls=mcp_calls,
        duration_ms=duration_ms,
    )
    context = context.model_copy(update={"volume_config": dict(volume)})
    warnings = []
    if context.rankings_stale:
        warnings.append("content rankings are older than 14 days")
    if not context.rankings:
        warnings.append("no content rankings")
    confidence = (context.analytics or {}).get("mm_revenue_confidence")
    if isinstance(confidence, int | float) and confidence < LOW_CONFIDENCE_WARNING:
        warnings.append(f"volume confidence {confidence:.2f} is below {LOW_CONFIDENCE_WARNING}")
    return Preflight(
        context=context,
        volume=volume,
        status="WARN" if warnings else "READY",
        warnings=tuple(warnings),
        usable_captions=count,
    )
