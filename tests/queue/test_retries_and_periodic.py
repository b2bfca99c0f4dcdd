"""Retries, counts and the periodic tasks on the real queue, with a worker run in this process so a
test can hand it routers whose v4 runner fails on purpose (`WorkerRuntime`'s injection)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from tests.queue.queue_support import WEEK, QueueDatabase, eros, eros_ok, plan_jobs, rows, schedules, status

from databases import Backend
from eros.bootstrap import Container, bootstrap, pipeline_router, pipeline_runner
from eros.cli.app import run
from eros.config import load_settings
from eros.db.engine import create_schema, make_engine
from eros.errors import DatabaseCorrupt, DatabaseLocked, ErosError
from eros.services.pipeline_run import PipelineResult, PipelineRunner
from eros.tasks.app import queue_app, work
from eros.tasks.periodic import (
    CHECK,
    EVERY_MINUTE,
    FAN_OUT,
    PRUNE,
    PRUNE_CRON,
    RECOVER,
    REFLECT,
    REFLECT_CRON,
    SHADOW_REPORT,
    SHADOW_REPORT_CRON,
)
from eros.tasks.planning import PLAN_WEEK
from eros.tasks.queue import opened
from eros.tasks.runtime import WorkerRuntime

#: What each mini creator's v4 run raises, and on which calls (None: it succeeds).
FAULTS: dict[str, tuple[ErosError, int]] = {
    "test": (DatabaseLocked("database is locked"), 1),  # the first call only
    "test_free": (DatabaseCorrupt("database disk image is malformed"), 99),  # every call
}


class FaultyRunner:
    """The real v4 runner, but raising FAULTS[creator] on its first N calls for that creator."""

    def __init__(self, inner: PipelineRunner) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        self.calls[creator_id] += 1
        fault = FAULTS.get(creator_id)
        if fault is not None and self.calls[creator_id] <= fault[1]:
            raise fault[0]
        return await self.inner(creator_id, week_start, dry_run=dry_run)


def container_of(db: QueueDatabase) -> Container:
    return bootstrap(load_settings(db.env))


def runtime_with(container: Container, runners: Mapping[str, PipelineRunner]) -> WorkerRuntime:
    return WorkerRuntime(
        container, lambda replace: pipeline_router(container, runners=runners, replace_edited=replace)
    )


def by_creator(db: QueueDatabase) -> dict[str, dict[str, object]]:
    return {job["args"]["creator_id"]: job for job in plan_jobs(db)}


def test_a_retryable_error_is_retried_with_backoff_and_a_non_retryable_one_fails_once(
    queue_db: QueueDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    container = container_of(queue_db)
    runner = FaultyRunner(pipeline_runner(container, "v4"))
    runtime = runtime_with(container, {"v4": runner})
    eros_ok(queue_db, "run", "--all", "--enqueue", "--week", WEEK)

    asyncio.run(work(runtime, until_idle=True))
    # The locked database's job was put back 2 ** (attempt + 1) = 2 s after its failure (the unit
    # test pins the formula; the database's clock measures the wait it scheduled).
    waits = rows(
        queue_db,
        "SELECT j.args->>'creator_id' AS creator, extract(epoch FROM j.scheduled_at - e.at) AS s "
        "FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id "
        "WHERE e.type = 'deferred_for_retry'",
    )
    assert [row["creator"] for row in waits] == ["test"]
    assert 1.5 < float(waits[0]["s"]) < 2.5
    # Unless the worker was still busy when the 2 s passed, the retry waits: let its time come now
    # (the test moves the job's time, not the clock) and run a worker again.
    with queue_db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")
    asyncio.run(work(runtime, until_idle=True))

    jobs = by_creator(queue_db)
    assert (jobs["test"]["status"], jobs["test"]["attempts"]) == ("succeeded", 2)
    assert (jobs["test_free"]["status"], jobs["test_free"]["attempts"]) == ("failed", 1)
    assert (jobs["test_premium"]["status"], jobs["test_premium"]["attempts"]) == ("succeeded", 1)
    assert runner.calls == {"test": 2, "test_free": 1, "test_premium": 1}
    assert set(schedules(queue_db)) == {("test", WEEK), ("test_premium", WEEK)}
    counts = status(queue_db)["by_task"][PLAN_WEEK]
    assert (counts["queued"], counts["running"], counts["failed"], counts["done"]) == (0, 0, 1, 2)
    # The failed job is logged as its code and sentence, without a traceback.
    failed = [r for r in caplog.records if r.name == "procrastinate.worker" and r.levelno == logging.ERROR]
    assert [r.exc_info for r in failed] == [None]
    assert failed[0].getMessage().endswith("[DATABASE_CORRUPT] database disk image is malformed")


def test_an_unsuccessful_run_fails_its_job_without_a_retry(queue_db: QueueDatabase) -> None:
    container = container_of(queue_db)
    calls: list[str] = []

    async def refusing(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        calls.append(creator_id)
        return PipelineResult(success=False, creator_id=creator_id, week_start=week_start, errors=["no"])

    eros_ok(queue_db, "run", "test", "--enqueue", "--week", WEEK)
    asyncio.run(work(runtime_with(container, {"v4": refusing}), until_idle=True))
    assert [job["status"] for job in plan_jobs(queue_db)] == ["failed"]
    assert calls == ["test"]
    assert schedules(queue_db) == {}


def test_the_fan_out_enqueues_the_week_after_its_tick_for_every_creator(queue_db: QueueDatabase) -> None:
    container = container_of(queue_db)
    planned: list[tuple[str, str]] = []

    async def quick(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        planned.append((creator_id, week_start))
        return PipelineResult(success=True, creator_id=creator_id, week_start=week_start)

    monday = int(datetime(2026, 1, 5, 6, 0, tzinfo=UTC).timestamp())

    async def tick() -> None:
        async with opened(queue_app(container.settings)) as app:
            await app.configure_task(FAN_OUT).defer_async(timestamp=monday)

    asyncio.run(tick())
    asyncio.run(work(runtime_with(container, {"v4": quick}), until_idle=True))
    assert sorted(planned) == [(c, "2026-01-12") for c in ("test", "test_free", "test_premium")]
    assert [job["status"] for job in plan_jobs(queue_db)] == ["succeeded"] * 3


def test_finished_periodic_jobs_are_pruned_after_a_week_and_creator_week_jobs_kept(
    queue_db: QueueDatabase,
) -> None:
    container = container_of(queue_db)

    async def done(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        return PipelineResult(success=True, creator_id=creator_id, week_start=week_start)

    async def defer_checks() -> None:
        async with opened(queue_app(container.settings)) as app:
            for _ in range(2):
                await app.configure_task(CHECK).defer_async(timestamp=0)

    eros_ok(queue_db, "run", "test", "--enqueue", "--week", WEEK)
    asyncio.run(defer_checks())
    runtime = runtime_with(container, {"v4": done})
    asyncio.run(work(runtime, until_idle=True))
    older, newer = (
        row["id"]
        for row in rows(
            queue_db, "SELECT id FROM procrastinate_jobs WHERE task_name = :t ORDER BY id", t=CHECK
        )[:2]
    )
    with queue_db.engine.begin() as conn:  # one an hour past the week, one an hour short of it
        for job_id, age in ((older, "169 hours"), (newer, "167 hours")):
            conn.exec_driver_sql(
                f"UPDATE procrastinate_events SET at = now() - interval '{age}' WHERE job_id = %(id)s",
                {"id": job_id},
            )
        conn.exec_driver_sql(
            "UPDATE procrastinate_events SET at = now() - interval '30 days' "
            "WHERE job_id IN (SELECT id FROM procrastinate_jobs WHERE task_name = %(t)s)",
            {"t": PLAN_WEEK},
        )

    async def defer_prune() -> None:
        async with opened(queue_app(container.settings)) as app:
            await app.configure_task(PRUNE).defer_async(timestamp=0)

    asyncio.run(defer_prune())
    asyncio.run(work(runtime, until_idle=True))
    ids = {row["id"] for row in rows(queue_db, "SELECT id FROM procrastinate_jobs")}
    assert older not in ids and newer in ids
    assert [job["status"] for job in plan_jobs(queue_db)] == ["succeeded"]


def test_the_schema_is_applied_once_and_without_it_commands_say_how(
    pg: PostgreSQLExecutor, tmp_path: Path, queue_db: QueueDatabase
) -> None:
    backend = Backend("postgresql", pg)
    url = backend.new(tmp_path / "bare.db")
    engine = make_engine(url, create=True)
    create_schema(engine)
    engine.dispose()
    bare = QueueDatabase(make_engine(url), {**queue_db.env, "EROS_DB_URL": url})
    try:
        missing = eros(bare, "jobs", "status")
        assert isinstance(missing.exception, ErosError)
        assert missing.exception.code == "QUEUE_SCHEMA_MISSING"
        assert "eros worker --apply-schema" in missing.exception.message
        assert "queue schema created" in eros_ok(bare, "worker", "--apply-schema")
        assert "queue schema already there" in eros_ok(bare, "worker", "--apply-schema")
        assert json.loads(eros_ok(bare, "jobs", "status", "--json"))["queued"] == 0
    finally:
        bare.engine.dispose()
        backend.drop(url)


# --- the periodic tasks' registration, and SQLite --------------------------------------------------

PG_URL = "postgresql+psycopg://eros@127.0.0.1:1/eros"


def periodic_crons(environ: dict[str, str]) -> dict[str, str]:
    app = queue_app(load_settings({"EROS_DB_URL": PG_URL, **environ}))
    return {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}


def test_the_periodic_tasks_and_their_cron_strings() -> None:
    assert periodic_crons({}) == {
        FAN_OUT: "0 6 * * 1",
        CHECK: EVERY_MINUTE,
        RECOVER: EVERY_MINUTE,
        SHADOW_REPORT: SHADOW_REPORT_CRON,
        REFLECT: REFLECT_CRON,
        PRUNE: PRUNE_CRON,
    }
    assert (EVERY_MINUTE, SHADOW_REPORT_CRON, REFLECT_CRON, PRUNE_CRON) == (
        "* * * * *",
        "0 7 * * *",
        "0 3 * * *",
        "0 4 * * *",
    )
    assert periodic_crons({"EROS_FANOUT_CRON": "30 5 * * 0"})[FAN_OUT] == "30 5 * * 0"


def test_a_fan_out_cron_that_is_not_one_is_invalid_config() -> None:
    with pytest.raises(ErosError) as raised:
        periodic_crons({"EROS_FANOUT_CRON": "every monday"})
    assert raised.value.code == "INVALID_CONFIG"
    assert "EROS_FANOUT_CRON='every monday'" in raised.value.message


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--all", "--enqueue"],
        ["worker"],
        ["worker", "--apply-schema"],
        ["jobs", "status"],
    ],
)
def test_on_sqlite_the_queue_commands_say_a_queue_needs_postgresql(
    argv: list[str], sample_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    monkeypatch.setenv("EROS_DB_PATH", str(sample_db_path))
    assert run(argv) == 2
    line = capsys.readouterr().err
    assert "error [QUEUE_NEEDS_POSTGRES] The task queue needs PostgreSQL" in line
    assert "`eros run --all` plans every creator in this process" in line


def test_enqueue_with_dry_run_is_a_usage_error(
    sample_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EROS_DB_PATH", str(sample_db_path))
    assert run(["run", "--all", "--enqueue", "--dry-run"]) == 2
    assert "[USAGE_ERROR] --enqueue queues real runs" in capsys.readouterr().err
