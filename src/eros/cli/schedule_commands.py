"""`eros schedules list | show | queue | complete`: saved schedules and their lifecycle (DOMAIN §11)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eros.bootstrap import bootstrap, connect_client, tool_env
from eros.db import schedules_repo
from eros.services.preflight import client_session
from eros.services.queueing import ScheduleRejected, queue_schedule
from eros.tools.schedules import get_schedules

schedules_app = typer.Typer(
    help="Saved schedules: list, show, queue for sending, mark completed.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)


def _print(record: dict[str, Any]) -> None:
    console.print(
        f"schedule {record['schedule_id']} · {record.get('page_name') or record['creator_id']} · "
        f"week {record['week_start']} · [bold]{record['status']}[/] (revision {record['revision']})"
    )


@schedules_app.command("list")
def list_schedules(
    creator: Annotated[str | None, typer.Argument(help="Creator id or page name (default: all).")] = None,
    status: Annotated[str | None, typer.Option(help="draft, approved, queued or completed.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1–500).")] = 50,
) -> None:
    """Saved schedules, most recently changed first."""
    answer = get_schedules(tool_env(bootstrap()), creator_id=creator, status=status, limit=limit)
    table = Table("id", "creator", "week", "status", "rev", "items", "PPVs", "score", "expected $", "updated")
    for s in answer.schedules:
        table.add_row(
            str(s.schedule_id),
            s.page_name or s.creator_id,
            s.week_start,
            s.status,
            str(s.revision),
            str(s.total_items),
            str(s.total_ppvs),
            "–" if s.quality_score is None else f"{s.quality_score:.0f}",
            "–" if s.expected_revenue is None else f"{s.expected_revenue:,.2f}",
            s.updated_at,
        )
    console.print(table)
    console.print(f"{answer.count} of {answer.total_count}")


@schedules_app.command("show")
def show(schedule_id: Annotated[int, typer.Argument(help="Schedule id.")]) -> None:
    """One schedule's summary, warnings and revision history."""
    answer = get_schedules(tool_env(bootstrap()), schedule_id=schedule_id, include_revisions=True)
    if not answer.schedules:
        raise schedules_repo.ScheduleNotFound(f"schedule {schedule_id} does not exist")
    record = answer.schedules[0]
    _print(record.model_dump())
    console.print(f"items {record.total_items} · PPVs {record.total_ppvs} · bumps {record.total_bumps}")
    for warning in record.warnings:
        console.print(f"[yellow]warning[/] {warning}")
    for rev in record.revisions or []:
        console.print(
            f"  revision {rev['revision']}: {rev['status']} {rev['schedule_hash']} "
            f"replaced {rev['replaced_at']}"
        )


@schedules_app.command("queue")
def queue(schedule_id: Annotated[int, typer.Argument(help="Schedule id (must be approved).")]) -> None:
    """approved → queued: re-check the stored week's hard gates, lock it for sending, record caption
    usage. A week that breaks a gate is refused (SCHEDULE_REJECTED, each violation listed)."""
    container = bootstrap()
    client = connect_client(container)

    async def run() -> dict[str, Any]:
        async with client_session(client):
            return await queue_schedule(container.uow, client, container.clock, schedule_id)

    try:
        _print(asyncio.run(run()))
    except ScheduleRejected as exc:
        table = Table("code", "rule", "items", "why", title="hard-gate violations in the stored week")
        for v in exc.details["violations"]:
            table.add_row(v["code"], v["rule"], ", ".join(map(str, v["items"])) or "week", v["message"])
        err_console.print(table)
        raise


@schedules_app.command("complete")
def complete(schedule_id: Annotated[int, typer.Argument(help="Schedule id (must be queued).")]) -> None:
    """queued → completed: the week went out."""
    container = bootstrap()
    with container.uow() as uow:
        row = uow.schedules.complete(schedule_id, container.clock.now())
        uow.commit()
    _print(dict(row))


def register(app: typer.Typer) -> None:
    app.add_typer(schedules_app, name="schedules")
