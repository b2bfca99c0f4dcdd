"""An operator's pages: the status dashboard, the rollout timeline, shadow comparisons by day,
alerts and learnings. Read through the same bootstrap builders the CLI and the API use; every
action (rollback, restore, advance, hold, abort, accept, reject) is a call to the JSON API."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from eros.bootstrap import (
    Container,
    feature_flags,
    flag_reader,
    learning_loop,
    pipeline_monitor,
    rollout_manager,
)
from eros.control.phases import PHASES
from eros.services.rollback import RESTORE_CONFIRMATION
from eros.services.shadow import shadow_report
from eros.web.deps import container as container_of
from eros.web.pages.templating import Caller, render, to_login

router = APIRouter(include_in_schema=False)

#: Open and recent alerts the dashboard lists.
DASHBOARD_ALERTS = 20


def criterion_state(check: dict[str, Any]) -> str:
    """pass / fail / not enough data, for one exit criterion's measured value."""
    if check.get("value") is None:
        return "no-data"
    return "pass" if check.get("met") else "fail"


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, principal: Caller) -> Response:
    if principal is None:
        return to_login(request)
    container = container_of(request)
    monitor = pipeline_monitor(container)
    report = monitor.get_status()
    rollout = rollout_manager(container, monitor=monitor).status().as_dict()
    with container.uow() as uow:
        alerts = [dict(row) for row in uow.ops.alert_rows(limit=DASHBOARD_ALERTS)]
    return render(
        request,
        "dashboard.html",
        principal,
        title="Status",
        report=report,
        v4=monitor.stats("v4"),
        v5=monitor.stats("v5"),
        flags=flag_sources(container),
        effective=feature_flags(container),
        rollout=rollout,
        alerts=alerts,
        final=rollout_manager(container, monitor=monitor).final_validation(),
        criterion_state=criterion_state,
        restore_phrase=RESTORE_CONFIRMATION,
    )


def flag_sources(container: Container) -> list[dict[str, Any]]:
    """Each flag's resolved value and where it came from (override, env, default); `effective`
    says whether v5 may take traffic once the kill switch and rollback state are applied."""
    values = flag_reader(container)()
    shown = {
        "EROS_V5_ENABLED": values.v5_enabled,
        "EROS_V5_SHADOW_MODE": values.shadow_mode,
        "EROS_V5_PERCENTAGE": values.v5_percentage,
        "EROS_V5_CREATORS": ", ".join(values.v5_creators) or "–",
        "EROS_V5_AUTO_FALLBACK": values.auto_fallback,
    }
    return [
        {"key": key, "value": value, "source": values.sources.get(key, "")} for key, value in shown.items()
    ]


@router.get("/rollout", response_class=HTMLResponse)
def rollout(request: Request, principal: Caller) -> Response:
    if principal is None:
        return to_login(request)
    container = container_of(request)
    status = rollout_manager(container).status().as_dict()
    return render(
        request,
        "rollout.html",
        principal,
        title="Rollout",
        rollout=status,
        phases=PHASES,
        criterion_state=criterion_state,
    )


@router.get("/shadow", response_class=HTMLResponse)
def shadow(request: Request, principal: Caller, day: Annotated[str | None, Query()] = None) -> Response:
    if principal is None:
        return to_login(request)
    container = container_of(request)
    report = shadow_report(container.uow, container.clock, day)
    return render(
        request,
        "shadow.html",
        principal,
        title=f"Shadow {report.day.isoformat()}",
        report=report.as_dict(),
        day=report.day,
        previous=(report.day - timedelta(days=1)).isoformat(),
        following=(report.day + timedelta(days=1)).isoformat(),
    )


@router.get("/learnings", response_class=HTMLResponse)
def learnings(request: Request, principal: Caller) -> Response:
    if principal is None:
        return to_login(request)
    loop = learning_loop(container_of(request))
    status = loop.status()
    preview = loop.run_reflect(write=False).reflection
    return render(
        request,
        "learnings.html",
        principal,
        title="Learnings",
        status=status,
        reflection=preview,
    )
