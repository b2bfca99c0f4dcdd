"""The week editor's and the dashboard's calls, while `/api/v1` grows the same endpoints.

A separate router under `/pages/api` so the two are told apart: each handler is a thin call into
the services the CLI uses (preflight + the rule engine to validate an edit, `save_schedule` to
save it as the acting person's revision, the rollback controller, the generator). Session-cookie
callers must send the CSRF token (`X-CSRF-Token`); the roles are the API's.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from eros.access import Principal, Role
from eros.bootstrap import Container, connect_client, pipeline_router, rollback_controller, tool_env
from eros.cli.validate_commands import caption_bank
from eros.db.schedules_repo import ScheduleNotFound
from eros.models import ValidationResult
from eros.services.preflight import PreflightEngine, client_session, parse_week_start
from eros.services.validator import ScheduleValidator
from eros.tools.schedules import get_schedules, save_schedule
from eros.web.deps import container as container_of
from eros.web.deps import require
from eros.web.security import check_csrf

router = APIRouter(prefix="/pages/api", include_in_schema=False, dependencies=[Depends(check_csrf)])
Scheduler = Annotated[Principal, Depends(require(Role.SCHEDULER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]


class Edit(BaseModel):
    """A proposed week: every item, in order (follow-ups point at their parent's position)."""

    items: list[dict[str, Any]] = Field(max_length=1000)
    expected_revision: int | None = None


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class Confirmation(BaseModel):
    confirm: str = Field(max_length=100)
    reason: str = Field(default="v5 restored from the dashboard", max_length=500)


class Generate(BaseModel):
    creator_id: str = Field(max_length=100)
    week_start: str = Field(max_length=10)


async def judge(container: Container, creator_id: str, week_start: str, items: list[Any]) -> ValidationResult:
    """The rule engine on a proposed week, with the creator's context as a generator sees it."""
    client = connect_client(container)
    async with client_session(client):
        context = await PreflightEngine(
            client, learnings_path=container.settings.learnings_path, clock=container.clock
        ).execute(creator_id, parse_week_start(week_start))
        return await ScheduleValidator(client, container.signing_key, container.clock).validate(
            items, context, known_caption_ids=caption_bank(container, items)
        )


def _stored(container: Container, schedule_id: int) -> Any:
    found = get_schedules(tool_env(container), schedule_id=schedule_id).schedules
    if not found:
        raise ScheduleNotFound(f"schedule {schedule_id} does not exist")
    return found[0]


@router.post("/schedules/{schedule_id}/validate")
async def validate_edit(
    request: Request, schedule_id: int, edit: Edit, principal: Scheduler
) -> dict[str, Any]:
    """The proposed week judged, nothing saved: status, score, components, violations by item."""
    container = container_of(request)
    saved = _stored(container, schedule_id)
    result = await judge(container, saved.creator_id, saved.week_start, edit.items)
    return result.model_dump(mode="json", exclude={"certificate"})


@router.post("/schedules/{schedule_id}/save")
async def save_edit(request: Request, schedule_id: int, edit: Edit, principal: Scheduler) -> dict[str, Any]:
    """Judge the edit again and save it as the person's new revision: approved only with the
    fresh certificate the rule engine just signed, else a draft with the reasons."""
    container = container_of(request)
    saved = _stored(container, schedule_id)
    result = await judge(container, saved.creator_id, saved.week_start, edit.items)
    certificate = result.certificate.model_dump(mode="json") if result.certificate else None
    answer = save_schedule(
        tool_env(container),
        creator_id=saved.creator_id,
        week_start=saved.week_start,
        items=edit.items,
        validation_certificate=certificate,
        expected_revision=edit.expected_revision,
        saved_by=principal.name,
    )
    return {
        **answer.model_dump(mode="json"),
        "validation": result.model_dump(mode="json", exclude={"certificate"}),
    }


@router.post("/generate")
async def generate(request: Request, body: Generate, principal: Scheduler) -> dict[str, Any]:
    """One creator-week through the router (flags decide v4 or v5), as `eros run` does."""
    container = container_of(request)
    result = await pipeline_router(container).route(body.creator_id, body.week_start)
    return {"creator_id": body.creator_id, "week_start": body.week_start, "result": _plain(result)}


def _plain(value: Any) -> dict[str, Any]:
    """A result (a pydantic model or a dataclass) as JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    plain: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(value), default=str))
    return plain


@router.post("/rollback")
async def rollback(request: Request, body: Reason, principal: Operator) -> dict[str, Any]:
    """Pause, drain and disable v5, as `eros rollback --reason` does; the acting user is recorded."""
    controller = rollback_controller(container_of(request))
    result = await controller.execute_rollback(body.reason, initiator=principal.name)
    return _plain(result)


@router.post("/restore")
async def restore(request: Request, body: Confirmation, principal: Operator) -> dict[str, Any]:
    """Re-enable v5: refused unless `confirm` is exactly the runbook's phrase."""
    controller = rollback_controller(container_of(request))
    result = await controller.restore_v5(body.confirm, initiator=principal.name, reason=body.reason)
    return _plain(result)
