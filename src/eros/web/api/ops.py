"""Operations: route explanation, rollback and restore (the exact phrase), rollback history,
alerts, shadow comparisons. Reads for viewers; rollback and restore for operators, recorded
with the operator's name as the initiator."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from eros.bootstrap import pipeline_router, rollback_controller
from eros.db.faults import SQL_INT_MAX
from eros.services.alerting import acknowledge_alert
from eros.services.rollback import RESTORE_CONFIRMATION, RollbackResult
from eros.web.deps import AsOperator, AsViewer, Installation

router = APIRouter(tags=["operations"])
MAX_ROWS = 500
Limit = Annotated[int, Query(ge=1, le=MAX_ROWS)]
AlertId = Annotated[int, Path(ge=1, le=SQL_INT_MAX)]


class RollbackRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class RestoreRequest(BaseModel):
    confirm: str = Field(max_length=100, description=f"Exactly {RESTORE_CONFIRMATION}")
    reason: str | None = Field(default=None, max_length=500)


@router.get("/route/{creator}")
def explain_route(creator: str, installation: Installation, _: AsViewer) -> dict[str, Any]:
    """Which pipeline the creator's next run takes, and why (as `eros route`)."""
    with installation.uow() as uow:
        creator_id = str(uow.creators.resolve_creator(creator)["creator_id"])
    routing = pipeline_router(installation)
    decision = routing.decide(creator_id)
    return {
        "creator_id": creator_id,
        **asdict(decision),
        "pipeline": decision.pipeline.value,
        "group": routing.group,
    }


def _result(result: RollbackResult) -> dict[str, Any]:
    return asdict(result)


@router.post("/rollback")
def rollback(request: RollbackRequest, installation: Installation, who: AsOperator) -> dict[str, Any]:
    """Roll v5 back now: pause, drain in-flight v5 runs, disable, alert, verify."""
    controller = rollback_controller(installation)
    return _result(asyncio.run(controller.execute_rollback(request.reason, initiator=who.name)))


@router.post("/rollback/restore")
def restore(request: RestoreRequest, installation: Installation, who: AsOperator) -> dict[str, Any]:
    """Re-enable v5 after a rollback: refused (RESTORE_NOT_CONFIRMED) without the exact phrase."""
    controller = rollback_controller(installation)
    result = asyncio.run(
        controller.restore_v5(request.confirm, initiator=who.name, reason=request.reason or "v5 restored")
    )
    return _result(result)


@router.get("/rollback/history")
def rollback_history(installation: Installation, _: AsViewer, limit: Limit = 50) -> dict[str, Any]:
    return {"events": rollback_controller(installation).get_history(limit)}


@router.get("/alerts")
def alerts(
    installation: Installation, _: AsViewer, open_only: bool = False, limit: Limit = 50
) -> dict[str, Any]:
    """Alerts newest first, each with how its sink deliveries went."""
    with installation.uow() as uow:
        rows = [dict(row) for row in uow.ops.alert_rows(limit=limit, open_only=open_only)]
        deliveries: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
        for delivery in uow.ops.delivery_rows(list(deliveries)):
            deliveries[delivery["alert_id"]].append(dict(delivery))
    return {"alerts": [{**row, "deliveries": deliveries[row["id"]]} for row in rows]}


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: AlertId, installation: Installation, who: AsOperator) -> dict[str, Any]:
    """On call has seen the alert: recorded with the operator's name and the time, once (a second
    acknowledgement answers the first); ALERT_NOT_FOUND (404) for an unknown id."""
    return asdict(acknowledge_alert(installation.uow, installation.clock, alert_id, by=who.name))


@router.get("/shadow")
def shadow(
    installation: Installation,
    _: AsViewer,
    day: Annotated[date | None, Query(description="UTC day (default: today)")] = None,
    creator: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The shadow comparisons of one day (optionally one creator), with each comparison's diff."""
    start = day or installation.clock.now().date()
    since, until = iso_z_day(start), iso_z_day(start + timedelta(days=1))
    with installation.uow() as uow:
        rows = uow.rollout.comparisons_between(since, until)
    if creator:
        rows = [row for row in rows if row["creator_id"] == creator]
    return {"day": start.isoformat(), "comparisons": rows, "count": len(rows)}


def iso_z_day(day: date) -> str:
    """Midnight UTC of `day` as stored timestamps are written."""
    return f"{day.isoformat()}T00:00:00Z"
