"""`eros jobs status`: the task queue's jobs by state (queued, running, failed, done).

The queue (Procrastinate) loads only when a queue command runs, after `queue_settings` has
checked there can be one: other commands start without it, and an SQLite installation or one
without the `queue` extra gets a coded sentence.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from eros.cli.database import configured

if TYPE_CHECKING:
    from eros.bootstrap import Container
    from eros.config import Settings
    from eros.tasks.queue import JobCounts

console = Console()
jobs_app = typer.Typer(help="The task queue's jobs (PostgreSQL installations).", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]


def queue_container() -> Container:
    """The configured installation, once its database is known to be able to hold the queue."""
    from eros.tasks.database import conninfo  # noqa: PLC0415 - loads for queue commands only

    container = configured()
    conninfo(container.settings.db_url)
    return container


async def _counts(settings: Settings) -> JobCounts:
    from eros.tasks.app import queue_app  # noqa: PLC0415 - the queue loads for queue commands only
    from eros.tasks.queue import job_counts, opened, require_schema  # noqa: PLC0415 - the same

    async with opened(queue_app(settings)) as app:
        await require_schema(app)
        return await job_counts(app)


@jobs_app.command("status")
def status(as_json: JsonOpt = False) -> None:
    """How many jobs are queued, running, failed and done, over every queue."""
    counts = asyncio.run(_counts(queue_container().settings))
    if as_json:
        typer.echo(json.dumps(asdict(counts)))
        return
    console.print(
        f"queued {counts.queued} · running {counts.running} · failed {counts.failed} · done {counts.done}"
        + (f" · cancelled {counts.cancelled}" if counts.cancelled else "")
        + (f" · aborted {counts.aborted}" if counts.aborted else "")
    )
    if counts.by_task:
        table = Table(title="jobs by task")
        for column in ("task", "queued", "running", "failed", "done"):
            table.add_column(column, justify="left" if column == "task" else "right")
        for name, by_state in sorted(counts.by_task.items()):
            table.add_row(name, *(str(by_state[s]) for s in ("queued", "running", "failed", "done")))
        console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
