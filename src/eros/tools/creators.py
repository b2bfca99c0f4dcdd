"""The roster, the bundled creator profile (one preflight call) and personas (DOMAIN §13)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from eros.db.analyze import load_history, previous_tier
from eros.db.creators import ROSTER_SORTS, CreatorRepository, RosterQuery
from eros.errors import InvalidInput
from eros.rules.send_types import PageType
from eros.rules.tiers import TIER_ORDER
from eros.tools.content import AllowedContentTypes, ContentRankings, allowed_content_types_for, rankings_for
from eros.tools.env import ToolEnv, in_range, one_of
from eros.tools.history import analytics, creator_health, creator_mm_revenue
from eros.tools.volume import HealthSummary, VolumeAssignment, health_summary, volume_assignment

MAX_ROSTER_LIMIT = 500


class CreatorSummary(BaseModel):
    creator_id: str
    page_name: str
    display_name: str
    page_type: str
    subscription_price: float | None
    timezone: str
    content_category: str
    is_active: bool
    current_fan_count: int
    current_active_fans: int | None
    mm_revenue_snapshot: float
    current_total_earnings: float | None
    base_price: float | None
    ab_test_running: bool
    previous_tier: str | None
    metrics_snapshot_date: str | None


class ActiveCreators(BaseModel):
    creators: list[CreatorSummary]
    count: int
    total_count: int
    limit: int
    offset: int
    has_more: bool
    current_page: int
    total_pages: int
    sort_by: str
    sort_order: str
    fetched_at: str


class Persona(BaseModel):
    creator_id: str
    primary_tone: str
    secondary_tone: str | None
    emoji_frequency: str
    favorite_emojis: list[str]
    slang_level: str
    avg_sentiment: float | None
    avg_caption_length: int | None
    last_analyzed: str | None
    is_default: bool
    fetched_at: str


class CreatorProfile(BaseModel):
    creator: CreatorSummary
    analytics: dict[str, Any] | None = None
    volume_assignment: VolumeAssignment | None = None
    health: HealthSummary | None = None
    content_rankings: ContentRankings | None = None
    allowed_content_types: AllowedContentTypes | None = None
    persona: Persona | None = None
    sections: list[str]
    fetched_at: str


def creator_summary(row: dict[str, Any]) -> CreatorSummary:
    return CreatorSummary(
        creator_id=row["creator_id"],
        page_name=row["page_name"],
        display_name=row["display_name"] or row["page_name"],
        page_type=row["page_type"],
        subscription_price=row["subscription_price"],
        timezone=row["timezone"] or "America/New_York",
        content_category=row["content_category"] or "softcore",
        is_active=bool(row["is_active"]),
        current_fan_count=row["current_fan_count"] or 0,
        current_active_fans=row["current_active_fans"],
        mm_revenue_snapshot=round((row["current_message_net"] or 0.0) + (row["current_posts_net"] or 0.0), 2),
        current_total_earnings=row["current_total_earnings"],
        base_price=row["base_price"],
        ab_test_running=bool(row["ab_test_running"]),
        previous_tier=row["previous_tier"],
        metrics_snapshot_date=row["metrics_snapshot_date"],
    )


def get_active_creators(
    env: ToolEnv,
    limit: int = 100,
    offset: int = 0,
    tier: str | None = None,
    page_type: str | None = None,
    min_revenue: float | None = None,
    max_revenue: float | None = None,
    min_fan_count: int | None = None,
    sort_by: str = "revenue",
    sort_order: str = "desc",
) -> ActiveCreators:
    """Active creators, filtered and paged. Revenue is the metrics snapshot (message + posts net);
    `tier` filters on the stored tier (the tier the creator was last assigned)."""
    in_range(limit, 1, MAX_ROSTER_LIMIT, "limit")
    if offset < 0:
        raise InvalidInput(f"offset must be ≥ 0, got {offset}", code="INVALID_OFFSET")
    tier_filter = (tier or "").strip().upper() or None
    if tier_filter is not None and tier_filter not in TIER_ORDER:
        raise InvalidInput(f"tier {tier!r} is not one of {', '.join(TIER_ORDER)}", code="INVALID_TIER")
    page = one_of(page_type, tuple(p.value for p in PageType), "page_type", "INVALID_PAGE_TYPE")
    sort = one_of(sort_by, ROSTER_SORTS, "sort_by", "INVALID_SORT_FIELD") or "revenue"
    order = one_of(sort_order, ("asc", "desc"), "sort_order", "INVALID_SORT_ORDER") or "desc"
    query = RosterQuery(
        limit=limit,
        offset=offset,
        tier=tier_filter,
        page_type=page,
        min_revenue=min_revenue,
        max_revenue=max_revenue,
        min_fan_count=min_fan_count,
        sort_by=sort,
        sort_order=order,
    )
    with env.uow() as uow:
        rows, total = uow.creators.roster(query)
    summaries = [creator_summary(dict(r)) for r in rows]
    return ActiveCreators(
        creators=summaries,
        count=len(summaries),
        total_count=total,
        limit=limit,
        offset=offset,
        has_more=offset + len(summaries) < total,
        current_page=offset // limit + 1,
        total_pages=-(-total // limit),
        sort_by=sort,
        sort_order=order,
        fetched_at=env.fetched_at(),
    )


def persona_for(creators: CreatorRepository, creator_id: str, fetched_at: str) -> Persona:
    """The creator's persona, or the documented default (flagged `is_default`)."""
    row = creators.persona(creator_id)
    if row is None:
        return Persona(
            creator_id=creator_id,
            primary_tone="playful",
            secondary_tone=None,
            emoji_frequency="moderate",
            favorite_emojis=[],
            slang_level="light",
            avg_sentiment=None,
            avg_caption_length=None,
            last_analyzed=None,
            is_default=True,
            fetched_at=fetched_at,
        )
    return Persona(
        creator_id=creator_id,
        primary_tone=row["primary_tone"],
        secondary_tone=row["secondary_tone"],
        emoji_frequency=row["emoji_frequency"],
        favorite_emojis=_emoji_list(row["favorite_emojis"]),
        slang_level=row["slang_level"],
        avg_sentiment=row["avg_sentiment"],
        avg_caption_length=row["avg_caption_length"],
        last_analyzed=row["last_analyzed"],
        is_default=False,
        fetched_at=fetched_at,
    )


def _emoji_list(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return [part for part in text.split() if part]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def get_persona_profile(env: ToolEnv, creator_id: str) -> Persona:
    """Voice settings for captions: tone, emoji frequency, slang, sentiment, length (defaults flagged)."""
    with env.uow() as uow:
        creator = uow.creators.resolve_creator(creator_id)
        return persona_for(uow.creators, creator["creator_id"], env.fetched_at())


def get_creator_profile(
    env: ToolEnv,
    creator_id: str,
    include_analytics: bool = True,
    include_volume: bool = True,
    include_content_rankings: bool = True,
    include_vault: bool = True,
    include_persona: bool = True,
) -> CreatorProfile:
    """All preflight needs in one call: creator, analytics, volume, rankings, vault and persona."""
    now, today, fetched_at = env.now(), env.today(), env.fetched_at()
    with env.uow() as uow:
        creator = dict(uow.creators.resolve_creator(creator_id))
        cid = creator["creator_id"]
        sends = load_history(uow.connection, cid, now) if include_analytics or include_volume else []
        rankings = rankings_for(uow.content, creator, today, fetched_at) if include_content_rankings else None
        vault = allowed_content_types_for(uow.content, creator, fetched_at) if include_vault else None
        persona = persona_for(uow.creators, cid, fetched_at) if include_persona else None
        previous = previous_tier(uow.connection, cid, now) if include_volume else None
    sections = [
        name
        for name, wanted in (
            ("analytics", include_analytics),
            ("volume", include_volume),
            ("content_rankings", include_content_rankings),
            ("vault", include_vault),
            ("persona", include_persona),
        )
        if wanted
    ]
    return CreatorProfile(
        creator=creator_summary(creator),
        analytics=analytics(sends, today, creator) if include_analytics else None,
        volume_assignment=volume_assignment(creator_mm_revenue(sends, today, creator), previous)
        if include_volume
        else None,
        health=health_summary(creator_health(sends, today)) if include_volume else None,
        content_rankings=rankings,
        allowed_content_types=vault,
        persona=persona,
        sections=sections,
        fetched_at=fetched_at,
    )
