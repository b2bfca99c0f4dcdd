"""Helpers of the queue tests: the database a test gets, CLI runs on it, and what its tables hold."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from eros.cli.app import _register, app
from eros.tasks.planning import PLAN_WEEK

#: The week the mini sample plans (the Monday after AS_OF).
WEEK = "2026-01-05"
#: The directory of `queue_hooks`, the test-only v4 runner a worker subprocess can load.
HOOKS_DIR = Path(__file__).parent


@dataclass(frozen=True)
class QueueDatabase:
    engine: Engine
    #: The environment of a CLI run (in-process or a subprocess) on this database.
    env: dict[str, str]


EROS = str(Path(sys.executable).parent / "eros")
MINI_CREATORS = 3
#: How long a wait for a subprocess may take before the test fails (a loaded machine is slow).
DEADLINE_S = 120.0


def eros(db: QueueDatabase, *args: str) -> Result:
    _register()
    return CliRunner().invoke(app, list(args), env=db.env)


def eros_ok(db: QueueDatabase, *args: str) -> str:
    result = eros(db, *args)
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def rows(db: QueueDatabase, sql: str, **params: Any) -> list[dict[str, Any]]:
    with db.engine.connect() as conn:
        return [dict(row) for row in conn.execute(text(sql), params).mappings()]


def plan_jobs(db: QueueDatabase) -> list[dict[str, Any]]:
    return rows(
        db,
        "SELECT id, status::text AS status, attempts, args, lock, queueing_lock FROM procrastinate_jobs "
        "WHERE task_name = :task ORDER BY id",
        task=PLAN_WEEK,
    )


def schedules(db: QueueDatabase) -> dict[tuple[str, str], int]:
    found = rows(db, "SELECT creator_id, week_start, count(*) AS n FROM schedules GROUP BY 1, 2")
    return {(row["creator_id"], str(row["week_start"])): row["n"] for row in found}


def status(db: QueueDatabase) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(eros_ok(db, "jobs", "status", "--json"))
    return document


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {DEADLINE_S:g} s for {what}"
        time.sleep(0.1)


def worker(db: QueueDatabase, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`eros worker --until-idle` as a real subprocess; it must exit 0."""
    done = subprocess.run(
        [EROS, "worker", "--until-idle", *args],
        env={**db.env, **env},
        capture_output=True,
        text=True,
        timeout=DEADLINE_S * 3,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done
