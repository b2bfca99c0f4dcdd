"""`/api/v1/creators`: the roster (tier, page type, this week's status, score, expected revenue),
one creator's profile (vault, rankings with AVOID, triggers, health, volume, persona) and the
captions a send of theirs may carry (the caption tools' choice: vault minus AVOID, page type)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from eros.bootstrap import Container, tool_env
from eros.rules.calendar import next_monday
from eros.rules.captions import MAX_CAPTIONS_PER_CONTENT_TYPE
from eros.tools.captions import get_captions
from eros.tools.creators import MAX_ROSTER_LIMIT, get_active_creators, get_creator_profile
from eros.tools.schedules import get_schedules
from eros.tools.volume import get_active_volume_triggers, get_volume_config
from eros.web.deps import AsViewer, Installation

router = APIRouter(tags=["creators"])
WeekQuery = Annotated[date | None, Query(description="Week start (a Monday); default: next Monday.")]


def week_or_next(installation: Container, week: date | None) -> str:
    """The week asked for, else the Monday after the installation clock's today (as the CLI)."""
    return (week or next_monday(installation.clock.now().date())).isoformat()


@router.get("/creators")
def roster(
    installation: Installation,
    _: AsViewer,
    week: WeekQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ROSTER_LIMIT)] = MAX_ROSTER_LIMIT,
) -> dict[str, Any]:
    """Every active creator with the week's schedule, if any (tier: the stored, last-assigned one)."""
    return roster_rows(installation, week_or_next(installation, week), limit)


def roster_rows(installation: Container, week_start: str, limit: int) -> dict[str, Any]:
    """The roster answer: one read of the creators and one of the week's schedules, whatever the
    number of creators (the roster page renders this same answer)."""
    env = tool_env(installation)
    creators = get_active_creators(env, limit=limit, sort_by="revenue")
    weeks = {s.creator_id: s for s in get_schedules(env, week_start=week_start, limit=500).schedules}
    rows = []
    for c in creators.creators:
        saved = weeks.get(c.creator_id)
        rows.append(
            {
                "creator_id": c.creator_id,
                "page_name": c.page_name,
                "display_name": c.display_name,
                "tier": c.previous_tier,
                "page_type": c.page_type,
                "timezone": c.timezone,
                "schedule_id": saved.schedule_id if saved else None,
                "status": saved.status if saved else "not_generated",
                "revision": saved.revision if saved else None,
                "saved_by_kind": saved.saved_by_kind if saved else None,
                "quality_score": saved.quality_score if saved else None,
                "expected_revenue": saved.expected_revenue if saved else None,
            }
        )
    return {
        "week_start": week_start,
        "creators": rows,
        "count": len(rows),
        "total_count": creators.total_count,
    }


@router.get("/creators/{creator}")
def profile(
    creator: str,
    installation: Installation,
    _: AsViewer,
    week: WeekQuery = None,
) -> dict[str, Any]:
    """Profile, vault, rankings (with AVOID), persona, health, volume targets and active triggers."""
    env = tool_env(installation)
    found = get_creator_profile(env, creator)
    creator_id = found.creator.creator_id
    return {
        **found.model_dump(),
        "volume_config": get_volume_config(env, creator_id, week_or_next(installation, week)).model_dump(),
        "triggers": get_active_volume_triggers(env, creator_id).model_dump(),
    }


@router.get("/creators/{creator}/captions")
def captions(
    creator: str,
    installation: Installation,
    _: AsViewer,
    send_type: Annotated[str, Query(min_length=1, max_length=64)],
    content_type: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CAPTIONS_PER_CONTENT_TYPE)] = MAX_CAPTIONS_PER_CONTENT_TYPE,
) -> dict[str, Any]:
    """The captions a `send_type` send (with `content_type`, if it carries media) may take: what
    `get_captions` offers the generator, so never a caption outside the vault, ranked AVOID or
    paid-only on a free page. The week editor's caption choice."""
    found = get_captions(
        tool_env(installation),
        creator,
        content_types=[content_type] if content_type else [],
        limit_per_type=limit,
        send_types=[send_type],
        limit_per_send_type=limit,
    )
    return {
        "creator_id": found.creator_id,
        "send_type": send_type,
        "content_type": content_type,
        "captions": [row.model_dump() for row in found.captions],
        "excluded_types": found.excluded_types,
    }
