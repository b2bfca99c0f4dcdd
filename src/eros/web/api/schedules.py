"""`/api/v1/schedules`: saved weeks and a person's work on them — read, generate, validate an edit
without saving, save an edit (a new revision: approved only with a fresh certificate, else a
draft with the reasons), approve, queue, complete, revisions, restore, export.

Every save names the person (`saved_by`), so generation never overwrites it unless asked
(`replace`), and the learning loop reads it as a user correction exactly as a CLI edit.
"""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from eros.bootstrap import Container, connect_client, pipeline_router, tool_env
from eros.db.schedules_repo import ScheduleNotFound
from eros.infra import exports
from eros.models import ValidationResult, ValidationStatus
from eros.services.preflight import PreflightEngine, client_session
from eros.services.queueing import ScheduleRejected, queue_schedule
from eros.services.validator import ScheduleValidator, known_caption_ids
from eros.tools.schedules import MAX_SCHEDULE_LIMIT, get_schedules, restore_revision, save_schedule
from eros.validation.items import require_items
from eros.web.api.creators import WeekQuery, week_or_next
from eros.web.deps import AsScheduler, AsViewer, Installation

router = APIRouter(tags=["schedules"])
#: At most this many items in one proposed week (the rulebook's weeks are far smaller).
MAX_EDIT_ITEMS = 500
Items = Annotated[list[dict[str, Any]], Field(max_length=MAX_EDIT_ITEMS)]


class ExportFormat(StrEnum):
    ics = "ics"
    csv = "csv"
    json = "json"


class ProposedWeek(BaseModel):
    creator: str = Field(min_length=1, max_length=64, description="Creator id or page name")
    week_start: str = Field(min_length=10, max_length=10, description="YYYY-MM-DD (a Monday)")
    items: Items


class Edit(BaseModel):
    items: Items
    expected_revision: int = Field(ge=1, le=2**31 - 1, description="The revision the edit was made on")


class Generate(BaseModel):
    creator: str = Field(min_length=1, max_length=64)
    week_start: str | None = Field(default=None, min_length=10, max_length=10)
    replace: bool = Field(default=False, description="Replace a week a person saved")


class Restore(BaseModel):
    revision: int = Field(ge=1, le=2**31 - 1)


def _schedule(installation: Container, schedule_id: int, *, items: bool = True) -> dict[str, Any]:
    found = get_schedules(
        tool_env(installation), schedule_id=schedule_id, include_items=items, include_revisions=items
    )
    if not found.schedules:
        raise ScheduleNotFound(f"schedule {schedule_id} does not exist")
    return found.schedules[0].model_dump()


async def judge_items(
    installation: Container, creator: str, week_start: str, items: list[Any]
) -> ValidationResult:
    """The rule engine's verdict on `items` for the creator-week, as `eros validate` gives it."""
    client = connect_client(installation)
    async with client_session(client):
        context = await PreflightEngine(
            client, learnings_path=installation.settings.learnings_path, clock=installation.clock
        ).execute(creator, week_start)
        return await ScheduleValidator(client, installation.signing_key, installation.clock).validate(
            items, context, known_caption_ids=known_caption_ids(installation.uow, items)
        )


def save_as_person(
    installation: Container, schedule: dict[str, Any], items: list[Any], expected_revision: int, by: str
) -> dict[str, Any]:
    """Validate, then save a new revision by `by`: approved with the fresh certificate, else draft."""
    verdict = asyncio.run(judge_items(installation, schedule["creator_id"], schedule["week_start"], items))
    certificate = verdict.certificate.model_dump(mode="json") if verdict.certificate else None
    saved = save_schedule(
        tool_env(installation),
        creator_id=schedule["creator_id"],
        week_start=schedule["week_start"],
        items=items,
        validation_certificate=certificate,
        expected_revision=expected_revision,
        saved_by=by,
    )
    return {**saved.model_dump(), "validation": verdict.model_dump(mode="json", exclude={"certificate"})}


@router.get("/schedules")
def list_schedules(
    installation: Installation,
    _: AsViewer,
    creator: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    week: WeekQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SCHEDULE_LIMIT)] = 50,
) -> dict[str, Any]:
    found = get_schedules(
        tool_env(installation),
        creator_id=creator,
        status=status,
        week_start=week.isoformat() if week else None,
        limit=limit,
    )
    return found.model_dump()


@router.get("/schedules/{schedule_id}")
def read_schedule(schedule_id: int, installation: Installation, _: AsViewer) -> dict[str, Any]:
    """The week with its items, revision history and signed score components (when approved)."""
    schedule = _schedule(installation, schedule_id)
    with installation.uow() as uow:
        certificate = uow.schedules.get(schedule_id)["certificate_json"]
    return {**schedule, "certificate": json.loads(certificate) if certificate else None}


@router.post("/schedules/validate")
def validate_week(proposed: ProposedWeek, installation: Installation, _: AsScheduler) -> dict[str, Any]:
    """Judge a proposed week without saving: status, score components, violations with their items."""
    verdict = asyncio.run(judge_items(installation, proposed.creator, proposed.week_start, proposed.items))
    return verdict.model_dump(mode="json", exclude={"certificate"})


@router.post("/schedules/generate")
def generate(request: Generate, installation: Installation, _: AsScheduler) -> dict[str, Any]:
    """Generate one creator-week through the router (the flags choose v4, v5 or shadow)."""
    with installation.uow() as uow:
        creator_id = str(uow.creators.resolve_creator(request.creator)["creator_id"])
    week_start = request.week_start or week_or_next(installation, None)
    router_ = pipeline_router(installation, replace_edited=request.replace)
    result = asyncio.run(router_.route(creator_id, week_start))
    return {
        "creator_id": creator_id,
        "week_start": week_start,
        "pipeline": result.pipeline,
        "success": result.success,
        "schedule_id": result.schedule_id,
        "validation_status": result.validation_status,
        "quality_score": result.quality_score,
        "total_items": result.total_items,
        "expected_revenue": result.expected_revenue,
        "errors": list(result.errors),
    }


@router.post("/schedules/{schedule_id}/edit")
def save_edit(schedule_id: int, edit: Edit, installation: Installation, who: AsScheduler) -> dict[str, Any]:
    """Save a person's edit as a new revision (CONFLICT when the week moved on since
    `expected_revision`; queued and completed weeks are locked)."""
    schedule = _schedule(installation, schedule_id, items=False)
    return save_as_person(installation, schedule, edit.items, edit.expected_revision, who.name)


@router.post("/schedules/{schedule_id}/approve")
def approve(schedule_id: int, installation: Installation, who: AsScheduler) -> dict[str, Any]:
    """Re-validate the current revision and save it approved with a fresh certificate; a week that
    fails validation is refused (SCHEDULE_REJECTED with its violations) and nothing is written."""
    schedule = _schedule(installation, schedule_id)
    items = list(schedule["items"] or [])
    verdict = asyncio.run(judge_items(installation, schedule["creator_id"], schedule["week_start"], items))
    if verdict.status is not ValidationStatus.APPROVED:
        raise ScheduleRejected(
            f"schedule {schedule_id} is not approved: the rule engine says {verdict.status.value}",
            details={"violations": [v.model_dump() for v in verdict.violations]},
        )
    return save_as_person(installation, schedule, items, schedule["revision"], who.name)


@router.post("/schedules/{schedule_id}/queue")
def queue(schedule_id: int, installation: Installation, _: AsScheduler) -> dict[str, Any]:
    """approved → queued after the stored week passes every hard gate again."""
    client = connect_client(installation)

    async def run() -> dict[str, Any]:
        async with client_session(client):
            return await queue_schedule(installation.uow, client, installation.clock, schedule_id)

    return asyncio.run(run())


@router.post("/schedules/{schedule_id}/complete")
def complete(schedule_id: int, installation: Installation, _: AsScheduler) -> dict[str, Any]:
    """queued → completed: the week went out."""
    with installation.uow() as uow:
        row = dict(uow.schedules.complete(schedule_id, installation.clock.now()))
        uow.commit()
    return row


@router.get("/schedules/{schedule_id}/revisions")
def revisions(schedule_id: int, installation: Installation, _: AsViewer) -> dict[str, Any]:
    with installation.uow() as uow:
        history = uow.schedules.history(schedule_id)
    return {"schedule_id": schedule_id, "revisions": history}


@router.post("/schedules/{schedule_id}/restore")
def restore(
    schedule_id: int, request: Restore, installation: Installation, who: AsScheduler
) -> dict[str, Any]:
    """Bring an old revision back as a new one saved by you (its certificate checked again)."""
    return restore_revision(tool_env(installation), schedule_id, request.revision, who.name).model_dump()


@router.get("/schedules/{schedule_id}/export", response_class=Response)
def export(
    schedule_id: int, installation: Installation, _: AsViewer, format: ExportFormat = ExportFormat.json
) -> Response:
    """The week as an iCalendar file, CSV or JSON (the files `eros export` writes)."""
    schedule = _schedule(installation, schedule_id, items=True)
    items = require_items(schedule.get("items") or [])
    header = {k: v for k, v in schedule.items() if k not in ("items", "revisions")}
    name = f"eros-{schedule['creator_id']}-{schedule['week_start']}.{format.value}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format is ExportFormat.csv:
        return Response(exports.to_csv(items), media_type="text/csv; charset=utf-8", headers=disposition)
    if format is ExportFormat.json:
        return Response(exports.to_json(header, items), media_type="application/json", headers=disposition)
    with installation.uow() as uow:
        zone = str(uow.creators.resolve_creator(schedule["creator_id"])["timezone"])
    text = exports.to_ics(header, items, zone, installation.clock.now())
    return Response(text, media_type="text/calendar; charset=utf-8", headers=disposition)
