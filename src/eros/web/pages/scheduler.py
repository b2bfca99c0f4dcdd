"""A scheduler's pages: the roster, a creator's week on a calendar, the creator's profile.

They read through the eros-db tools (as the CLI does) and render; every change a person makes
goes through the JSON API from the page's scripts, so the rules stay in the services.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from eros.bootstrap import tool_env
from eros.errors import InvalidInput
from eros.rules.calendar import next_monday
from eros.rules.send_types import SEND_TYPES
from eros.tools.creators import get_creator_profile
from eros.tools.schedules import get_schedules
from eros.tools.volume import get_active_volume_triggers
from eros.web.api.creators import roster_rows
from eros.web.deps import container as container_of
from eros.web.pages.templating import Caller, render, to_login

router = APIRouter(include_in_schema=False)

#: Enough for the whole roster of an agency on one page (the tool's own ceiling).
ROSTER_LIMIT = 100


def _week(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a YYYY-MM-DD date", code="INVALID_DATE") from None


@router.get("/", response_class=HTMLResponse)
def roster(request: Request, principal: Caller) -> Response:
    """Every active creator with this week's schedule (the week `eros generate` makes by default):
    the API's roster answer, so tier and page type come with it and no creator costs a call."""
    if principal is None:
        return to_login(request)
    container = container_of(request)
    week = next_monday(container.clock.now().date()).isoformat()
    answer = roster_rows(container, week, ROSTER_LIMIT)
    return render(request, "roster.html", principal, week=week, roster=answer, title="Roster")


@router.get("/creators/{creator_id}/week")
def this_week(request: Request, creator_id: str, principal: Caller) -> Response:
    """The creator's newest saved week, else the default week to generate."""
    if principal is None:
        return to_login(request)
    container = container_of(request)
    latest = get_schedules(tool_env(container), creator_id=creator_id, limit=1).schedules
    week = latest[0].week_start if latest else next_monday(container.clock.now().date()).isoformat()
    return RedirectResponse(f"/creators/{creator_id}/week/{week}", status_code=303)


@router.get("/creators/{creator_id}/week/{week_start}", response_class=HTMLResponse)
def week(request: Request, creator_id: str, week_start: str, principal: Caller) -> Response:
    """The week on a FullCalendar time grid; its data travels as JSON for week.js."""
    if principal is None:
        return to_login(request)
    env = tool_env(container_of(request))
    start = _week(week_start).isoformat()
    profile = get_creator_profile(env, creator_id, include_analytics=False)
    creator = profile.creator
    found = get_schedules(
        env, creator_id=creator_id, week_start=start, limit=1, include_items=True, include_revisions=True
    ).schedules
    schedule = found[0] if found else None
    vault = set(profile.allowed_content_types.allowed_type_names) if profile.allowed_content_types else set()
    avoid = set(profile.content_rankings.avoid_types) if profile.content_rankings else set()
    data = {
        "creator_id": creator.creator_id,
        "page_name": creator.page_name,
        "timezone": creator.timezone,
        "week_start": start,
        "schedule": schedule.model_dump(mode="json") if schedule else None,
        "content_types": sorted(vault - avoid),
        "avoid_types": sorted(avoid),
        "send_types": {
            key: {"name": st.display_name, "category": st.category.value}
            for key, st in sorted(SEND_TYPES.items())
            if st.allowed_on(creator.page_type)
        },
    }
    return render(
        request,
        "week.html",
        principal,
        title=f"{creator.page_name} · week of {start}",
        creator=creator,
        schedule=schedule,
        week_start=start,
        data=data,
    )


@router.get("/creators/{creator_id}", response_class=HTMLResponse)
def profile(request: Request, creator_id: str, principal: Caller) -> Response:
    """Vault, rankings (with AVOID), volume triggers, health and persona."""
    if principal is None:
        return to_login(request)
    env = tool_env(container_of(request))
    answer = get_creator_profile(env, creator_id)
    triggers = get_active_volume_triggers(env, answer.creator.creator_id)
    return render(
        request,
        "profile.html",
        principal,
        title=answer.creator.page_name,
        profile=answer,
        triggers=triggers,
    )
