"""Workers on the real queue (Procrastinate on the session's PostgreSQL), as operators run them.

Enqueuing is idempotent per creator-week; a real `eros worker` subprocess plans the weeks; a
worker killed with kill -9 mid-job leaves a job the next worker finishes, with one schedule.
Waiting for a subprocess is waiting for a condition (a file, a database row), never for time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

from tests.queue.queue_hooks import MARKER_ENV
from tests.queue.queue_support import (
    EROS,
    HOOKS_DIR,
    MINI_CREATORS,
    WEEK,
    QueueDatabase,
    eros_ok,
    plan_jobs,
    rows,
    schedules,
    status,
    wait_until,
    worker,
)

from eros.tasks.planning import PLAN_WEEK

# --- enqueue ------------------------------------------------------------------------------


def test_enqueuing_the_roster_makes_one_job_per_creator_week_and_again_none(queue_db: QueueDatabase) -> None:
    first = json.loads(eros_ok(queue_db, "run", "--all", "--enqueue", "--week", WEEK, "--json"))
    assert len(first["queued"]) == MINI_CREATORS and first["already"] == []
    again = json.loads(eros_ok(queue_db, "run", "--all", "--enqueue", "--week", WEEK, "--json"))
    assert again["queued"] == [] and sorted(again["already"]) == sorted(first["queued"])
    jobs = plan_jobs(queue_db)
    assert len(jobs) == MINI_CREATORS
    assert {job["lock"] for job in jobs} == {f"{PLAN_WEEK}:{c}:{WEEK}" for c in first["queued"]}
    assert all(job["queueing_lock"] == job["lock"] for job in jobs)
    counts = status(queue_db)
    assert (counts["queued"], counts["running"], counts["failed"], counts["done"]) == (MINI_CREATORS, 0, 0, 0)
    assert counts["by_task"][PLAN_WEEK]["queued"] == MINI_CREATORS


def test_a_worker_plans_every_queued_week_once_and_re_enqueuing_adds_no_work(
    queue_db: QueueDatabase,
) -> None:
    eros_ok(queue_db, "run", "--all", "--enqueue", "--week", WEEK)
    worker(queue_db)
    jobs = plan_jobs(queue_db)
    assert [(job["status"], job["attempts"]) for job in jobs] == [("succeeded", 1)] * MINI_CREATORS
    planned = schedules(queue_db)
    assert len(planned) == MINI_CREATORS and set(planned.values()) == {1}
    assert all(week == WEEK for _, week in planned)
    again = json.loads(eros_ok(queue_db, "run", "--all", "--enqueue", "--week", WEEK, "--json"))
    assert again["queued"] == [] and len(again["already"]) == MINI_CREATORS
    assert len(plan_jobs(queue_db)) == MINI_CREATORS
    assert status(queue_db)["by_task"][PLAN_WEEK]["done"] == MINI_CREATORS


# --- kill -9 ----------------------------------------------------------------------------


def test_a_job_of_a_worker_killed_mid_run_is_finished_by_the_next_with_one_schedule(
    queue_db: QueueDatabase, tmp_path: Path
) -> None:
    eros_ok(queue_db, "run", "test", "--enqueue", "--week", WEEK)
    marker = tmp_path / "holding"
    stalled = {"EROS_WORKER_STALLED_S": "1"}
    blocked = subprocess.Popen(
        [EROS, "worker"],
        env={
            **queue_db.env,
            **stalled,
            "EROS_V4_RUNNER": "queue_hooks:block_until_killed",
            MARKER_ENV: str(marker),
            "PYTHONPATH": str(HOOKS_DIR),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(marker.exists, "the first worker to start the job")
        assert marker.read_text(encoding="utf-8") == f"test {WEEK}"
        assert [job["status"] for job in plan_jobs(queue_db)] == ["doing"]
        assert status(queue_db)["by_task"][PLAN_WEEK]["running"] == 1
    finally:
        os.kill(blocked.pid, signal.SIGKILL)
        blocked.wait()
    assert blocked.returncode == -signal.SIGKILL
    assert schedules(queue_db) == {}
    # The killed worker's row stays until a live one finds its heartbeat older than the timeout.
    wait_until(
        lambda: (
            rows(
                queue_db,
                "SELECT count(*) AS n FROM procrastinate_workers "
                "WHERE last_heartbeat < now() - interval '1 second'",
            )[0]["n"]
            == 1
        ),
        "the killed worker's heartbeat to go stale",
    )
    worker(queue_db, **stalled)
    jobs = plan_jobs(queue_db)
    # Two attempts: the one the kill cut short, and the one that finished.
    assert [(job["status"], job["attempts"]) for job in jobs] == [("succeeded", 2)]
    assert schedules(queue_db) == {("test", WEEK): 1}
    assert rows(queue_db, "SELECT count(*) AS n FROM procrastinate_workers")[0]["n"] == 0
