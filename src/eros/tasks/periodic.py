"""The recurring work of the seeds as periodic tasks on the queue (one run per tick, whichever worker).

Procrastinate defers each periodic task once per cron tick across all workers, so running more
workers never runs a check twice. Each task is a few calls into services built by bootstrap.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from croniter import croniter
from procrastinate import App, JobContext

from eros.bootstrap import alert_manager, learning_loop, periodic_check
from eros.config import Settings
from eros.errors import ConfigError
from eros.rules.calendar import next_monday
from eros.services.shadow import deliver_shadow_report
from eros.tasks.planning import enqueue_weeks
from eros.tasks.queue import PERIODIC_QUEUE, recover_stalled_jobs
from eros.tasks.runtime import WorkerRuntime, runtime_of

logger = logging.getLogger(__name__)

FAN_OUT = "eros.fan_out_next_week"
CHECK = "eros.check"
SHADOW_REPORT = "eros.daily_shadow_report"
REFLECT = "eros.auto_reflect"
RECOVER = "eros.recover_stalled_jobs"
PRUNE = "eros.prune_periodic_jobs"

EVERY_MINUTE = "* * * * *"
#: Yesterday's shadow comparisons, each morning (UTC) before the operations stand-up.
SHADOW_REPORT_CRON = "0 7 * * *"
#: Auto-reflection nightly (UTC), after the day's runs and edits have left their signals.
REFLECT_CRON = "0 3 * * *"
#: Finished periodic jobs (about 2,900 a day) are deleted after a week, nightly. Creator-week
#: jobs stay: they are what makes enqueuing a week again add no work.
PRUNE_CRON = "0 4 * * *"
PERIODIC_JOBS_KEPT_H = 7 * 24


def _day(timestamp: int) -> date:
    """The UTC day of a cron tick (the tick, not the clock: a late job still acts for its tick)."""
    return datetime.fromtimestamp(timestamp, UTC).date()


async def fan_out_next_week(context: JobContext, timestamp: int) -> None:
    """Enqueue the week after the tick's day for every active creator (as `eros run --all --enqueue`)."""
    container = runtime_of(context).container
    with container.uow() as uow:
        creator_ids = uow.creators.active_creator_ids()
    outcome = await enqueue_weeks(context.app, creator_ids, next_monday(_day(timestamp)).isoformat())
    logger.info(
        "fan-out week %s: %d queued, %d already queued or done",
        outcome.week_start,
        len(outcome.queued),
        len(outcome.already),
    )


async def check(context: JobContext, timestamp: int) -> None:
    """`eros check`: alerts, the LEARNINGS.md check and the automatic rollback triggers."""
    raised, rollback = await periodic_check(runtime_of(context).container)()
    logger.info("check: alerts raised %s; rollback %s", raised or "none", "yes" if rollback else "no")


async def daily_shadow_report(context: JobContext, timestamp: int) -> None:
    """Yesterday's shadow comparison report, delivered once to the operations channel."""
    container = runtime_of(context).container
    delivery = await deliver_shadow_report(
        container.uow, container.clock, alert_manager(container), _day(timestamp) - timedelta(days=1)
    )
    logger.info("%s", delivery.summary())


async def auto_reflect(context: JobContext, timestamp: int) -> None:
    """`eros reflect --if-enabled --yes`: write and commit LEARNINGS.md when auto-reflection is on."""
    loop = learning_loop(runtime_of(context).container)
    if not loop.auto_enabled():
        return
    outcome = loop.run_reflect(write=True)
    logger.info("auto-reflection: %d signals, commit %s", len(outcome.reflection.signal_ids), outcome.commit)


async def recover(context: JobContext, timestamp: int) -> None:
    """Run again the jobs of workers that stopped beating (kill -9, a lost machine)."""
    runtime: WorkerRuntime = runtime_of(context)
    await recover_stalled_jobs(context.app, runtime.container.settings.worker_stalled_s)


async def prune(context: JobContext, timestamp: int) -> None:
    """Delete the periodic queue's finished jobs older than PERIODIC_JOBS_KEPT_H hours."""
    await context.app.job_manager.delete_old_jobs(
        nb_hours=PERIODIC_JOBS_KEPT_H, queue=PERIODIC_QUEUE, include_failed=True
    )


class Periodic(NamedTuple):
    name: str
    cron: str
    run: Callable[[JobContext, int], Awaitable[None]]


def schedule(settings: Settings) -> list[Periodic]:
    """The periodic tasks and their cron strings; EROS_FANOUT_CRON must be a valid cron string."""
    if not croniter.is_valid(settings.fanout_cron):
        raise ConfigError(
            f"EROS_FANOUT_CRON={settings.fanout_cron!r} is not a cron string (e.g. '0 6 * * 1')",
            code="INVALID_CONFIG",
        )
    return [
        Periodic(FAN_OUT, settings.fanout_cron, fan_out_next_week),
        Periodic(CHECK, EVERY_MINUTE, check),
        Periodic(RECOVER, EVERY_MINUTE, recover),
        Periodic(SHADOW_REPORT, SHADOW_REPORT_CRON, daily_shadow_report),
        Periodic(REFLECT, REFLECT_CRON, auto_reflect),
        Periodic(PRUNE, PRUNE_CRON, prune),
    ]


def register(app: App, settings: Settings) -> None:
    for task in schedule(settings):
        registered = app.task(name=task.name, queue=PERIODIC_QUEUE, pass_context=True)(task.run)
        app.periodic(cron=task.cron, periodic_id=task.name)(registered)
