"""`/api/v1/creators`: the roster (tier, page type, this week's status, score, expected revenue)
and one creator's profile (vault, rankings with AVOID, triggers, health, volume, persona)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from eros.bootstrap import Container, tool_env
from eros.rules.calendar import next_monday
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
    env = tool_env(installation)
    week_start = week_or_next(installation, week)
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
