"""`eros worker`: run a task-queue worker against EROS_DB_URL's PostgreSQL database.

Start as many as the machines allow, on any machine that reaches the database: each takes the
next creator-week job (`eros run --all --enqueue`, the Monday fan-out) and the periodic work.
`eros worker --apply-schema` creates the queue's tables once per database (docs/OPERATIONS.md).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from eros.cli.jobs_commands import queue_container

if TYPE_CHECKING:
    from eros.bootstrap import Container
    from eros.config import Settings

console = Console(stderr=True)

#: Jobs one worker runs at once: they share one process (and one core), so a few overlap waits;
#: more cores need more workers.
MAX_CONCURRENCY = 64


def worker(
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, max=MAX_CONCURRENCY, help="Jobs this worker runs at once."),
    ] = 1,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Stop once no job is ready (batch runs, benchmarks).")
    ] = False,
    schema: Annotated[
        bool,
        typer.Option("--apply-schema", help="Create the queue's tables if they are missing, then exit."),
    ] = False,
) -> None:
    """Run a worker: creator-week jobs and the periodic tasks, until SIGINT/SIGTERM."""
    container = queue_container()
    if schema:
        created = asyncio.run(_apply(container.settings))
        console.print("queue schema created" if created else "queue schema already there")
        return
    asyncio.run(_work(container, concurrency, until_idle))


async def _apply(settings: Settings) -> bool:
    from eros.tasks.app import queue_app  # noqa: PLC0415 - the queue loads for queue commands only
    from eros.tasks.queue import apply_schema, opened  # noqa: PLC0415 - the same

    async with opened(queue_app(settings)) as app:
        return await apply_schema(app)


async def _work(container: Container, concurrency: int, until_idle: bool) -> None:
    from eros.tasks.app import work  # noqa: PLC0415 - the queue loads for queue commands only
    from eros.tasks.queue import heartbeat_s  # noqa: PLC0415 - the same
    from eros.tasks.runtime import WorkerRuntime  # noqa: PLC0415 - the same

    settings = container.settings
    console.print(
        f"worker: concurrency {concurrency}, heartbeat every {heartbeat_s(settings):g} s, "
        f"jobs of workers silent {settings.worker_stalled_s:g} s run again"
    )
    await work(WorkerRuntime.configured(container), concurrency=concurrency, until_idle=until_idle)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
