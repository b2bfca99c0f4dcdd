"""Runners for the EROS_V4_RUNNER tests, loaded by `module:function` like an agency's plug-in."""

from __future__ import annotations

from typing import Any

from eros.models import Schedule, ScheduleItem
from eros.services.pipeline_run import PipelineResult

#: Items the tests plan beforehand, by (creator, week).
PLANNED: dict[tuple[str, str], list[dict[str, Any]]] = {}
#: What `result_runner` was called with.
CALLS: list[dict[str, Any]] = []
NOT_CALLABLE = 3


async def planned_runner(creator_id: str, week_start: str) -> dict[str, Any]:
    return {"items": PLANNED[(creator_id, week_start)]}


def sync_schedule_runner(creator_id: str, week_start: str) -> Schedule:
    items = [ScheduleItem.model_validate(item) for item in PLANNED[(creator_id, week_start)]]
    return Schedule(
        creator_id=creator_id, week_start=week_start, items=items, generator="sync", expected_revenue=1.0
    )


async def result_runner(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
    CALLS.append({"creator_id": creator_id, "week_start": week_start, "dry_run": dry_run})
    return PipelineResult(success=True, creator_id=creator_id, week_start=week_start, quality_score=88.0)


async def dict_result_runner(creator_id: str, week_start: str) -> dict[str, Any]:
    return {
        "success": False,
        "creator_id": creator_id,
        "week_start": week_start,
        "errors": ["agency said no"],
    }


async def raising_runner(creator_id: str, week_start: str) -> dict[str, Any]:
    raise RuntimeError("agency backend is down")


async def wrong_type_runner(creator_id: str, week_start: str) -> int:
    return 42


async def bad_items_runner(creator_id: str, week_start: str) -> dict[str, Any]:
    return {"items": [{"send_type_key": "ppv_wall", "scheduled_date": week_start, "scheduled_time": "04:00"}]}
