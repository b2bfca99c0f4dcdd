"""One job per creator-week: it plans the week through the router, once, retried only when that can help.

`lock` keeps two jobs of one creator-week from running at once (a second waits for the first);
`queueing_lock` keeps a second from being queued while one waits; and `enqueue_weeks` skips a
creator-week whose job is queued, running or done, so enqueuing again adds no work. A worker
killed mid-job leaves its job "doing" until `queue.recover_stalled_jobs` runs it again: the
save replaces the week a killed run may have written, so the week ends with one schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from procrastinate import App, JobContext, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from procrastinate.retry import RetryDecision

from eros.errors import DatabaseError, ErosError, ToolCallError
from eros.tasks.queue import PLANNING_QUEUE
from eros.tasks.runtime import runtime_of

PLAN_WEEK = "eros.plan_week"
#: Retries after the first attempt, waiting BACKOFF_S ** (attempt + 1) seconds: 2, 4, 8, 16.
RETRIES = 4
BACKOFF_S = 2
#: The error types a job is retried for, when the error itself says a retry may work.
RETRYABLE_ERRORS: tuple[type[ErosError], ...] = (DatabaseError, ToolCallError)
#: Job states in which a creator-week needs no new job.
SETTLED_STATES = ("todo", "doing", "succeeded")


class WeekNotPlanned(ErosError):
    """The router ran but saved no week (the run is recorded; retrying the same inputs fails the same)."""

    code = "WEEK_NOT_PLANNED"


class RetryableOnly(RetryStrategy):
    """Procrastinate's backoff, but only for an error of RETRYABLE_ERRORS marked `retryable`
    (DATABASE_LOCKED is; DATABASE_CORRUPT, also a database error, is not)."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if not (isinstance(exception, ErosError) and exception.retryable):
            return None
        return super().get_retry_decision(exception=exception, job=job)


RETRY = RetryableOnly(max_attempts=RETRIES, exponential_wait=BACKOFF_S, retry_exceptions=RETRYABLE_ERRORS)


def week_lock(creator_id: str, week_start: str) -> str:
    return f"{PLAN_WEEK}:{creator_id}:{week_start}"


async def plan_week(context: JobContext, creator_id: str, week_start: str, replace: bool = False) -> None:
    """`eros run CREATOR --week WEEK` as a job: the router decides the pipeline when the job runs."""
    with runtime_of(context).router(replace) as router:
        result = await router.route(creator_id, week_start)
    if not result.success:
        why = result.errors[0] if result.errors else "no reason given"
        raise WeekNotPlanned(
            f"{creator_id} week of {week_start} was not planned on {result.pipeline}: {why}",
            details={"creator_id": creator_id, "week_start": week_start, "errors": list(result.errors)},
        )


def register(app: App) -> None:
    app.task(name=PLAN_WEEK, queue=PLANNING_QUEUE, pass_context=True, retry=RETRY)(plan_week)


@dataclass(frozen=True)
class Enqueued:
    """What `eros run --all --enqueue` did: the creators given a job, and those that had one."""

    week_start: str
    queued: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


async def enqueue_weeks(
    app: App, creator_ids: Iterable[str], week_start: str, *, replace: bool = False
) -> Enqueued:
    """One plan_week job per creator whose week has no queued, running or finished job."""
    locks = {week_lock(creator_id, week_start): creator_id for creator_id in creator_ids}
    rows = await app.connector.execute_query_all_async(
        "SELECT DISTINCT queueing_lock FROM procrastinate_jobs "
        "WHERE queueing_lock = ANY(%(locks)s) AND status::text = ANY(%(states)s)",
        locks=list(locks),
        states=list(SETTLED_STATES),
    )
    settled = {row["queueing_lock"] for row in rows}
    outcome = Enqueued(week_start)
    for lock, creator_id in locks.items():
        if lock in settled:
            outcome.already.append(creator_id)
            continue
        deferrer = app.configure_task(PLAN_WEEK, lock=lock, queueing_lock=lock)
        try:
            await deferrer.defer_async(creator_id=creator_id, week_start=week_start, replace=replace)
        except AlreadyEnqueued:  # another enqueuer queued it between the look and the defer
            outcome.already.append(creator_id)
            continue
        outcome.queued.append(creator_id)
    return outcome
