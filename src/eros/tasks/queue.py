"""The Procrastinate app on the configured PostgreSQL database, its schema, stalled jobs and counts.

The queue lives in the same database as EROS (its `procrastinate_*` tables beside ours), so a
creator-week's job and its schedule share one store and one backup. SQLite has no queue: a
command that needs one is QUEUE_NEEDS_POSTGRES, and `eros run --all` plans in its own process.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from procrastinate import App
from procrastinate.exceptions import ConnectorException

from eros.config import Settings
from eros.errors import ConfigError, DatabaseError, ErosError

logger = logging.getLogger(__name__)

#: Where creator-week jobs wait, and where the recurring work does (a worker may serve either).
PLANNING_QUEUE = "planning"
PERIODIC_QUEUE = "periodic"
#: How often a worker says it is alive: a third of `EROS_WORKER_STALLED_S`, so one late beat
#: never makes a live worker look dead.
HEARTBEATS_PER_TIMEOUT = 3


class QueueSchemaMissing(ConfigError):
    code = "QUEUE_SCHEMA_MISSING"


class QueueUnavailable(DatabaseError):
    """The queue's database could not be reached: a worker or an enqueue may retry."""

    code = "QUEUE_UNAVAILABLE"


@asynccontextmanager
async def opened(app: App) -> AsyncIterator[App]:
    """The app with its connection pool open; an unreachable server is QUEUE_UNAVAILABLE, not a trace."""
    try:
        async with app.open_async():
            yield app
    except ConnectorException as exc:
        raise QueueUnavailable(f"The task queue's database failed: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0][:200]


async def schema_applied(app: App) -> bool:
    row = await app.connector.execute_query_one_async(
        "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS applied"
    )
    return bool(row["applied"])


async def require_schema(app: App) -> None:
    if not await schema_applied(app):
        raise QueueSchemaMissing(
            "The task queue's tables are not in this database: run `eros worker --apply-schema` once."
        )


async def apply_schema(app: App) -> bool:
    """Create the queue's tables unless they are there; whether this call created them.

    The schema runs as one transaction, so of two operators applying it at once one succeeds and
    the other's duplicate fails whole; that one then finds the tables and reports them there.
    """
    if await schema_applied(app):
        return False
    try:
        await app.schema_manager.apply_schema_async()
    except ConnectorException:
        if await schema_applied(app):
            return False
        raise
    return True


async def recover_stalled_jobs(app: App, stalled_after_s: float) -> list[int]:
    """Run again the jobs of workers silent for `stalled_after_s` (killed, OOM, lost machine); their ids.

    The job keeps its lock, so no other job of that creator-week starts while it waits again.
    """
    manager = app.job_manager
    await manager.prune_stalled_workers(stalled_after_s)
    recovered: list[int] = []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s):
        try:
            await manager.retry_job(job)
        except ConnectorException:  # another worker recovered it first: it is no longer "doing"
            continue
        logger.warning("job %s (%s) of a stalled worker will run again", job.id, job.task_name)
        recovered.append(job.id or 0)
    return recovered


#: Procrastinate's job states, as `eros jobs status` names them.
STATE_NAMES = {
    "todo": "queued",
    "doing": "running",
    "failed": "failed",
    "succeeded": "done",
    "cancelled": "cancelled",
    "aborted": "aborted",
}


@dataclass(frozen=True)
class JobCounts:
    """`eros jobs status`: jobs by state over every queue, and by task."""

    queued: int = 0
    running: int = 0
    failed: int = 0
    done: int = 0
    cancelled: int = 0
    aborted: int = 0
    by_task: dict[str, dict[str, int]] = field(default_factory=dict)


async def job_counts(app: App) -> JobCounts:
    by_task = {
        str(row["name"]): {name: int(row[state]) for state, name in STATE_NAMES.items()}
        for row in await app.job_manager.list_tasks_async()
    }
    totals = {name: sum(counts[name] for counts in by_task.values()) for name in STATE_NAMES.values()}
    return JobCounts(**totals, by_task=by_task)


class CodedJobErrors(logging.Filter):
    """A job that failed with an ErosError is logged as its code and sentence, not a traceback
    (a bug's traceback stays: the worker's log is where its report starts)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ErosError):
            record.msg = f"{record.getMessage()}: [{error.code}] {error.message}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def log_job_errors_coded() -> None:
    """Install `CodedJobErrors` on Procrastinate's worker logger (once per process)."""
    worker_logger = logging.getLogger("procrastinate.worker")
    if not any(isinstance(f, CodedJobErrors) for f in worker_logger.filters):
        worker_logger.addFilter(CodedJobErrors())


def heartbeat_s(settings: Settings) -> float:
    return settings.worker_stalled_s / HEARTBEATS_PER_TIMEOUT
