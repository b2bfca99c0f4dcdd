"""Which failures a creator-week job is retried for, and after how long (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from procrastinate.jobs import Job

from eros.errors import DatabaseCorrupt, DatabaseError, DatabaseLocked, ErosError, NoDatabase, ToolCallError
from eros.tasks.planning import PLAN_WEEK, RETRIES, RETRY, WeekNotPlanned


def job(attempts: int) -> Job:
    return Job(id=1, queue="planning", lock=None, queueing_lock=None, task_name=PLAN_WEEK, attempts=attempts)


def wait_s(error: BaseException, attempts: int) -> int | None:
    """Seconds until the retry (None: no retry), to the second: the decision is `now + wait`."""
    before = datetime.now(UTC)
    decision = RETRY.get_retry_decision(exception=error, job=job(attempts))
    if decision is None:
        return None
    assert decision.retry_at is not None
    return round((decision.retry_at - before).total_seconds())


@pytest.mark.parametrize(
    "error",
    [
        DatabaseLocked("database is locked"),
        DatabaseError("server closed the connection unexpectedly"),
        ToolCallError("busy", code="DATABASE_LOCKED", details={"retryable": True}),
    ],
)
def test_retryable_errors_back_off_exponentially_until_the_last_retry(error: ErosError) -> None:
    assert [wait_s(error, attempts) for attempts in range(RETRIES + 1)] == [2, 4, 8, 16, None]


@pytest.mark.parametrize(
    "error",
    [
        DatabaseCorrupt("database disk image is malformed"),  # a DatabaseError that is not retryable
        NoDatabase("no database"),
        ToolCallError("bad creator", code="CREATOR_NOT_FOUND"),
        WeekNotPlanned("v4 said no"),
        ErosError("retryable, but not a database or tool error", details={"retryable": True}),
        RuntimeError("a bug"),
    ],
)
def test_other_errors_are_not_retried(error: BaseException) -> None:
    assert wait_s(error, 0) is None
