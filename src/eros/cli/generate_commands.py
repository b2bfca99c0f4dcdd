"""`eros generate | show | export`: the scheduler's everyday commands (thin: parse, run, render).

The week defaults to the Monday after the clock's today (`EROS_NOW` pins it). Exit codes:
0 success, 1 a run that did not produce a schedule, 2 bad input or configuration (ErosError).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from eros.bootstrap import Container, bootstrap, connect_client, pipeline_monitor, pipeline_runner
from eros.cli import database, render
from eros.cli.batch_runtime import BatchGC
from eros.cli.workers import map_in_processes
from eros.db.schedules_repo import ScheduleEdited
from eros.errors import ErosError
from eros.infra import exports
from eros.ports import ToolClient, UnitOfWorkFactory
from eros.rules.calendar import next_monday
from eros.rules.timing import DEFAULT_TIMEZONE, checked_date
from eros.services.edits import refuse_if_edited
from eros.services.monitor import PipelineMonitor
from eros.services.pipeline_run import PipelineResult, PipelineRunner
from eros.services.preflight import client_session, parse_week_start
from eros.tools.creators import MAX_ROSTER_LIMIT
from eros.validation.items import require_items

console = Console()
err_console = Console(stderr=True)

#: At most this many `--jobs` worker processes (each holds a pipeline and a database connection).
MAX_JOBS = 64
#: The roster page size `--all` asks for (the tool's maximum); it pages until the roster ends.
ROSTER_PAGE = MAX_ROSTER_LIMIT
#: The route reason recorded for a scheduler's own `eros generate` runs (the router's are its decisions).
MANUAL_RUN = "manual"

CreatorArg = Annotated[str | None, typer.Argument(help="Creator id or page name.", show_default=False)]
ReplaceOpt = Annotated[
    bool,
    typer.Option(
        "--replace", help="Replace weeks a person saved (without it they are refused: SCHEDULE_EDITED)."
    ),
]
WeekOpt = Annotated[
    str | None,
    typer.Option("--week", help="Week start YYYY-MM-DD (default: next Monday).", show_default=False),
]

JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs", "-j", min=1, max=MAX_JOBS, help="With --all: creators generated at once, one process each."
    ),
]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    ics = "ics"


def quiet_logging() -> None:
    """Warnings and errors only on stderr, set before any library installs its own INFO handler."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def configured() -> Container:
    """The configured installation (`eros.cli.database.configured`) with quiet library logging."""
    quiet_logging()
    return database.configured()


def resolve_creator_id(container: Container, creator: str) -> str:
    """The creator's id from an id or page name; CREATOR_NOT_FOUND (exit 2) before any run."""
    with container.uow() as uow:
        return str(uow.creators.resolve_creator(creator)["creator_id"])


def resolve_week(week: str | None, container: Container) -> date:
    """The given week (strict YYYY-MM-DD), else the Monday after the clock's today."""
    if week:
        return checked_date(week, "--week")
    return next_monday(container.clock.now().date())


def generate(
    creator: CreatorArg = None,
    week: WeekOpt = None,
    all_creators: Annotated[bool, typer.Option("--all", help="Every active creator.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Generate and validate, save nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    pipeline: Annotated[str, typer.Option("--pipeline", help="v5 (default) or v4 (legacy).")] = "v5",
    jobs: JobsOpt = 1,
    replace: ReplaceOpt = False,
) -> None:
    """Generate a creator's week (or every active creator's with --all), validate it and save it."""
    if all_creators == bool(creator):
        raise ErosError("Name one creator or pass --all (not both)", code="USAGE_ERROR")
    container = configured()
    week_start = resolve_week(week, container).isoformat()
    if creator:
        creator_id = resolve_creator_id(container, creator)
        job = RecordedJob.of(container, pipeline, replace_edited=replace)
        result = asyncio.run(_run_one(job, creator_id, week_start, dry_run))
        if as_json:
            typer.echo(json.dumps(render.result_document(result), indent=2, default=str))
        else:
            render.print_result(console, result)
        if not result.success:
            raise typer.Exit(1)
        return
    roster = asyncio.run(_roster(container))
    if jobs > 1:
        rows = _run_all_parallel(pipeline, replace, roster, week_start, dry_run, jobs, quiet=as_json)
    else:
        job = RecordedJob.of(container, pipeline, replace_edited=replace)
        rows = asyncio.run(_run_all(job, roster, week_start, dry_run, quiet=as_json))
    if as_json:
        typer.echo(json.dumps({"week_start": week_start, "results": rows}, indent=2, default=str))
    else:
        title = f"Week of {week_start} · pipeline {pipeline}{' · dry run' if dry_run else ''}"
        console.print(render.summary_table(rows, title, console.width))
    if not all(row["success"] for row in rows):
        raise typer.Exit(1)


@dataclass(frozen=True, slots=True)
class RecordedJob:
    """A pipeline's runner whose every run the monitor records (issue #7: every run of either
    pipeline is in the database, so SLO windows and learning signals see scheduler runs too).

    A week a person saved is refused (SCHEDULE_EDITED) before it runs unless `replace_edited`,
    which the runner shares so its save may replace the edit.
    """

    pipeline: str
    runner: PipelineRunner
    monitor: PipelineMonitor
    uow: UnitOfWorkFactory
    replace_edited: bool = False

    @classmethod
    def of(cls, container: Container, pipeline: str, *, replace_edited: bool = False) -> RecordedJob:
        runner = pipeline_runner(container, pipeline, replace_edited=replace_edited)
        return cls(pipeline, runner, pipeline_monitor(container), container.uow, replace_edited)

    async def run(self, creator_id: str, week_start: str, dry_run: bool) -> PipelineResult:
        if not dry_run and not self.replace_edited:
            refuse_if_edited(self.uow, creator_id, week_start)
        return await self.monitor.observe(
            self.pipeline, self.runner, creator_id, week_start, dry_run=dry_run, route_reason=MANUAL_RUN
        )

    async def row(self, creator: Mapping[str, Any], week_start: str, dry_run: bool) -> dict[str, Any]:
        """One creator's summary row; a refused (edited) week is a row too, never the batch's end."""
        creator_id = str(creator["creator_id"])
        try:
            result = await self.run(creator_id, week_start, dry_run)
        except ScheduleEdited as exc:
            result = PipelineResult(
                success=False,
                creator_id=creator_id,
                week_start=week_start,
                pipeline=self.pipeline,
                validation_status=exc.code,
                errors=[f"[{exc.code}] {exc.message}"],
                dry_run=dry_run,
            )
        return render.summary_row(result, creator.get("previous_tier"))


async def _run_one(job: RecordedJob, creator: str, week_start: str, dry_run: bool) -> PipelineResult:
    async with client_session(job.runner):
        return await job.run(creator, week_start, dry_run)


async def _roster(container: Container) -> list[dict[str, Any]]:
    """Every active creator, by page name: page after page until the tool says there are no more."""
    client = connect_client(container)
    roster: list[dict[str, Any]] = []
    async with client_session(client):
        while True:
            answer = await client.call_tool(
                "get_active_creators",
                {"limit": ROSTER_PAGE, "offset": len(roster), "sort_by": "name", "sort_order": "asc"},
            )
            page = list(answer.get("creators") or [])
            roster.extend(page)
            if not page or not answer.get("has_more"):
                return roster


def progress_bar(*, disable: bool) -> Progress:
    """The batch commands' progress bar (on stderr, so --json output stays clean)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=disable,
    )


async def _run_all(
    job: RecordedJob, roster: list[dict[str, Any]], week_start: str, dry_run: bool, *, quiet: bool
) -> list[dict[str, Any]]:
    """One creator after another over one client (one server session on stdio)."""
    rows: list[dict[str, Any]] = []
    async with client_session(job.runner):
        with progress_bar(disable=quiet) as progress, BatchGC() as batch_gc:
            task = progress.add_task("generating", total=len(roster))
            for creator in roster:
                progress.update(task, description=f"generating {creator['page_name']}")
                rows.append(await job.row(creator, week_start, dry_run))
                batch_gc.settle()
                progress.advance(task)
    return rows


#: The job of a `--jobs` worker process, built once per process by `_worker_start`.
_worker_job: RecordedJob | None = None
#: The worker's batch GC (BatchGC), entered for the life of the process.
_worker_gc = BatchGC()


def _worker_start(pipeline: str, replace_edited: bool) -> None:
    global _worker_job  # noqa: PLW0603 - one job per worker process, built at its start
    quiet_logging()
    _worker_job = RecordedJob.of(bootstrap(), pipeline, replace_edited=replace_edited)
    _worker_gc.__enter__()


def _worker_run(week_start: str, dry_run: bool, creator: dict[str, Any]) -> dict[str, Any]:
    assert _worker_job is not None, "worker started without _worker_start"
    job = _worker_job

    async def one() -> dict[str, Any]:
        async with client_session(job.runner):
            return await job.row(creator, week_start, dry_run)

    row = asyncio.run(one())
    _worker_gc.settle()
    return row


def _run_all_parallel(
    pipeline: str,
    replace_edited: bool,
    roster: list[dict[str, Any]],
    week_start: str,
    dry_run: bool,
    jobs: int,
    *,
    quiet: bool,
) -> list[dict[str, Any]]:
    """Creators in `jobs` worker processes (ARCHITECTURE §8: a process pool on one machine).

    Each worker bootstraps from the same environment (database, clock pin, key), so every
    creator's week is what a sequential run would make; rows come back in roster order.
    """
    with progress_bar(disable=quiet) as progress:
        task = progress.add_task(f"generating ({jobs} processes)", total=len(roster))
        return map_in_processes(
            partial(_worker_run, week_start, dry_run),
            roster,
            jobs=jobs,
            initializer=_worker_start,
            initargs=(pipeline, replace_edited),
            advance=lambda: progress.advance(task),
        )


# --- show / export -----------------------------------------------------------------------------


async def _saved_schedule(client: ToolClient, target: str, week: date | None) -> dict[str, Any]:
    """A saved schedule with its items: by schedule id, or by creator (+ week; else the newest)."""
    if target.isdigit():
        answer = await client.call_tool("get_schedules", {"schedule_id": int(target), "include_items": True})
    else:
        filters: dict[str, Any] = {"creator_id": target, "include_items": True, "limit": 1}
        if week is not None:
            filters["week_start"] = week.isoformat()
        else:
            filters.update({"sort_by": "week_start", "sort_order": "desc"})
        answer = await client.call_tool("get_schedules", filters)
    schedules = answer.get("schedules") or []
    if not schedules:
        where = f" for the week of {week.isoformat()}" if week else ""
        raise ErosError(f"No saved schedule {target!r}{where}", code="SCHEDULE_NOT_FOUND")
    return dict(schedules[0])


async def _load(
    container: Container, target: str, week: date | None, *, timezone: bool
) -> tuple[dict[str, Any], str]:
    client = connect_client(container)
    async with client_session(client):
        schedule = await _saved_schedule(client, target, week)
        zone = DEFAULT_TIMEZONE
        if timezone:
            profile = await client.call_tool(
                "get_creator_profile",
                {
                    "creator_id": str(schedule["creator_id"]),
                    "include_analytics": False,
                    "include_volume": False,
                    "include_content_rankings": False,
                    "include_vault": False,
                    "include_persona": False,
                },
            )
            zone = str(profile["creator"].get("timezone") or zone)
    return schedule, zone


def show(
    target: Annotated[str, typer.Argument(help="Schedule id, or creator id / page name.")],
    week: WeekOpt = None,
) -> None:
    """Show a saved week as a day-by-day calendar (a creator's newest week unless --week is given)."""
    container = configured()
    schedule, _ = asyncio.run(
        _load(container, target, checked_date(week, "--week") if week else None, timezone=False)
    )
    items = require_items(schedule.get("items") or [])
    console.print(render.saved_schedule_table(schedule))
    week_start = parse_week_start(str(schedule["week_start"]))
    console.print(render.week_table(items, week_start, width=console.width))


def export(
    target: Annotated[str, typer.Argument(help="Schedule id, or creator id / page name.")],
    week: WeekOpt = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv, json or ics.")] = ExportFormat.csv,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Export a saved week as CSV, JSON or an iCalendar file a calendar app opens."""
    container = configured()
    schedule, zone = asyncio.run(
        _load(
            container,
            target,
            checked_date(week, "--week") if week else None,
            timezone=fmt is ExportFormat.ics,
        )
    )
    items = require_items(schedule.get("items") or [])
    header = {k: v for k, v in schedule.items() if k != "items"}
    if fmt is ExportFormat.csv:
        text = exports.to_csv(items)
    elif fmt is ExportFormat.json:
        text = exports.to_json(header, items)
    else:
        text = exports.to_ics(header, items, zone, container.clock.now())
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8", newline="")
    err_console.print(f"wrote {len(items)} sends to {out}")


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
    app.command("show")(show)
    app.command("export")(export)
