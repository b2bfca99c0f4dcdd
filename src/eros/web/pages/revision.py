"""A read-only JSON endpoint for the week page's diff: one old revision's items.

`/api/v1/schedules/{id}/revisions` lists revisions without their items; the diff needs them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from eros.access import Principal, Role
from eros.web.deps import container as container_of
from eros.web.deps import require

router = APIRouter(include_in_schema=False)


@router.get("/pages/schedules/{schedule_id}/revisions/{revision}.json")
def revision_items(
    request: Request,
    schedule_id: int,
    revision: int,
    principal: Annotated[Principal, Depends(require(Role.VIEWER))],
) -> dict[str, Any]:
    """`{"revision": n, "items": [...]}` (REVISION_NOT_FOUND when the schedule has no such revision)."""
    with container_of(request).uow() as uow:
        old = uow.schedules.revision(schedule_id, revision)
    return {"schedule_id": schedule_id, "revision": revision, "items": json.loads(old["items_json"])}
