"""`eros schedules list | show | revisions | restore | queue | complete`: saved schedules, their
revisions and their lifecycle (DOMAIN §11)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eros.bootstrap import connect_client, tool_env
from eros.cli.database import configured
from eros.cli.ops_commands import ByOpt, JsonOpt, acting_user
from eros.db import schedules_repo
from eros.services.preflight import client_session
from eros.services.queueing import ScheduleRejected, queue_schedule
from eros.tools.schedules import get_schedules, restore_revision

schedules_app = typer.Typer(
    help="Saved schedules: list, show, revisions and restore, queue for sending, mark completed.",
    no_args_is_help=True,
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
    answer = get_schedules(tool_env(configured()), creator_id=creator, status=status, limit=limit)
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
    answer = get_schedules(tool_env(configured()), schedule_id=schedule_id, include_revisions=True)
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
            f"saved by {saved_by(rev)}, replaced {rev['replaced_at']}"
        )


def saved_by(revision: Mapping[str, Any]) -> str:
    """`generator v5`, `person alice`, or `unknown` for revisions saved before this was recorded."""
    kind, name = revision.get("saved_by_kind"), revision.get("saved_by")
    if kind is None:
        return "unknown"
    return f"{kind} {name}" if name else str(kind)


@schedules_app.command("revisions")
def revisions(
    schedule_id: Annotated[int, typer.Argument(help="Schedule id.")], as_json: JsonOpt = False
) -> None:
    """Every revision of a schedule, oldest first: who saved it (a generator or a person) and when."""
    with configured().uow() as uow:
        history = uow.schedules.history(schedule_id)
    if as_json:
        console.print_json(json.dumps({"schedule_id": schedule_id, "revisions": history}))
        return
    table = Table(title=f"schedule {schedule_id}: revisions")
    for column in ("rev", "status", "saved by", "saved at", "replaced at", "score", "hash"):
        table.add_column(column)
    for rev in history:
        score = rev["quality_score"]
        table.add_row(
            f"{rev['revision']}{' (current)' if rev['current'] else ''}",
            rev["status"],
            saved_by(rev),
            rev["saved_at"],
            rev["replaced_at"] or "–",
            "–" if score is None else f"{score:.0f}",
            rev["schedule_hash"],
        )
    console.print(table)


@schedules_app.command("restore")
def restore(
    schedule_id: Annotated[int, typer.Argument(help="Schedule id.")],
    revision: Annotated[int, typer.Option("--revision", help="The revision to bring back.")],
    by: ByOpt = "",
) -> None:
    """Bring an old revision back as a new revision, saved by you (so generation will not overwrite it).

    Its certificate is checked again: approved only if it still verifies, else a draft with the reasons.
    Queued and completed weeks are locked, as for any save.
    """
    saved = restore_revision(tool_env(configured()), schedule_id, revision, acting_user(by))
    console.print(
        f"schedule {saved.schedule_id} · revision {revision} restored as revision {saved.revision} "
        f"([bold]{saved.status}[/])"
    )
    for warning in saved.warnings:
        console.print(f"[yellow]warning[/] {warning}")


@schedules_app.command("queue")
def queue(schedule_id: Annotated[int, typer.Argument(help="Schedule id (must be approved).")]) -> None:
    """approved → queued: re-check the stored week's hard gates, lock it for sending, record caption
    usage. A week that breaks a gate is refused (SCHEDULE_REJECTED, each violation listed)."""
    container = configured()
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
    container = configured()
    with container.uow() as uow:
        row = uow.schedules.complete(schedule_id, container.clock.now())
        uow.commit()
    _print(dict(row))


def register(app: typer.Typer) -> None:
    app.add_typer(schedules_app, name="schedules")
