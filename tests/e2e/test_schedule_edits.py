"""A person's edit is never silently overwritten: generation refuses it unless asked to replace it,
`eros schedules revisions` shows who saved what, and `restore` brings a revision back as a new one."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from tests.conftest import TEST_SIGNING_KEY

from eros.bootstrap import Container, bootstrap, pipeline_router, pipeline_runner
from eros.cli.app import _register
from eros.clock import FixedClock
from eros.config import load_settings
from eros.db.schedules_repo import ScheduleEdited
from eros.db.schema import pipeline_runs, schedules
from eros.errors import ErosError
from eros.tools.env import ToolEnv
from eros.tools.schedules import get_schedules, save_schedule
from support import cli, cli_error_code, cli_ok, database_env, tool_env

WEEK = "2026-01-05"
CREATOR = "test"


@pytest.fixture
def cli_env(mini_db: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {**database_env(mini_db), "EROS_NOW": "2026-01-04T12:00:00Z"}
    for key in ("EROS_DB_URL", "EROS_SIGNING_KEY", "EROS_LEARNINGS_PATH", "EROS_MCP_TRANSPORT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _register()
    return env


@pytest.fixture
def env(mini_db: Engine, clock: FixedClock) -> ToolEnv:
    return tool_env(mini_db, clock, TEST_SIGNING_KEY.encode())


def person_saves(env: ToolEnv, by: str = "alice") -> int:
    """A scheduler re-saves the week by hand (no generator): the revision it made."""
    [current] = get_schedules(env, creator_id=CREATOR, week_start=WEEK, include_items=True).schedules
    return save_schedule(env, CREATOR, WEEK, list(current.items or []), saved_by=by).revision


def state(engine: Engine) -> tuple[int, str | None, str | None, int]:
    """(revision, saved_by_kind, saved_by, recorded runs) of the test week."""
    with engine.connect() as conn:
        row = conn.execute(
            select(schedules.c.revision, schedules.c.saved_by_kind, schedules.c.saved_by).where(
                schedules.c.creator_id == CREATOR, schedules.c.week_start == WEEK
            )
        ).one()
        runs = conn.execute(select(func.count()).select_from(pipeline_runs)).scalar_one()
    return row.revision, row.saved_by_kind, row.saved_by, runs


def test_eros_generate_refuses_a_week_a_person_saved_on_v5_and_v4(
    cli_env: dict[str, str], env: ToolEnv, mini_db: Engine
) -> None:
    cli_ok("generate", CREATOR)
    assert state(mini_db)[:3] == (1, "generator", "v5")
    assert person_saves(env) == 2
    before = state(mini_db)
    assert before[:3] == (2, "person", "alice")

    for pipeline in ("v5", "v4"):
        assert cli_error_code("generate", CREATOR, "--pipeline", pipeline) == "SCHEDULE_EDITED"
    assert state(mini_db) == before  # nothing generated, saved or recorded as a run

    cli_ok("generate", CREATOR, "--pipeline", "v4", "--replace")
    assert state(mini_db)[:3] == (3, "generator", "v4")
    cli_ok("generate", CREATOR)  # a generator's week is replaced as before
    assert state(mini_db)[:3] == (4, "generator", "v5")


def test_eros_generate_all_reports_an_edited_week_and_generates_the_others(
    cli_env: dict[str, str], env: ToolEnv, mini_db: Engine
) -> None:
    cli_ok("generate", CREATOR)
    person_saves(env)
    result = cli("generate", "--all", "--json")
    assert result.exit_code == 1
    rows = {row["creator_id"]: row for row in json.loads(result.stdout)["results"]}
    assert rows[CREATOR]["status"] == "SCHEDULE_EDITED" and not rows[CREATOR]["success"]
    assert rows["test_free"]["success"] and rows["test_premium"]["success"]
    assert state(mini_db)[:3] == (2, "person", "alice")


def test_eros_run_refuses_an_edited_week_unless_asked_to_replace_it(
    cli_env: dict[str, str], env: ToolEnv, mini_db: Engine
) -> None:
    cli_ok("generate", CREATOR)
    person_saves(env)
    before = state(mini_db)
    result = cli("run", CREATOR, "--json")
    assert result.exit_code == 1
    [row] = json.loads(result.stdout)["results"]
    assert row["errors"][0].startswith("[SCHEDULE_EDITED]")
    assert state(mini_db) == before

    cli_ok("run", CREATOR, "--replace")
    assert state(mini_db)[1] == "generator"


def test_the_router_refuses_before_deciding_and_records_no_run(
    cli_env: dict[str, str], env: ToolEnv, mini_db: Engine
) -> None:
    cli_ok("generate", CREATOR)
    person_saves(env)
    before = state(mini_db)
    container = bootstrap(load_settings())
    with pytest.raises(ScheduleEdited):
        asyncio.run(pipeline_router(container).route(CREATOR, WEEK))
    assert state(mini_db) == before
    dry = asyncio.run(pipeline_router(container).route(CREATOR, WEEK, dry_run=True))  # saves nothing
    assert dry.success


@pytest.mark.parametrize("pipeline", ["v5", "v4"])
def test_a_runner_used_directly_is_refused_at_the_save(
    cli_env: dict[str, str], env: ToolEnv, mini_db: Engine, pipeline: str
) -> None:
    """The repository enforces it inside the save, so a runner called without the CLI's or the
    router's check (the runbook's `orchestrator.run`, a race with a person saving) cannot overwrite."""
    cli_ok("generate", CREATOR)
    person_saves(env)
    container: Container = bootstrap(load_settings())
    result = asyncio.run(pipeline_runner(container, pipeline)(CREATOR, WEEK))
    assert not result.success and "SCHEDULE_EDITED" in " ".join(result.errors)
    assert state(mini_db)[:3] == (2, "person", "alice")
    replaced = asyncio.run(pipeline_runner(container, pipeline, replace_edited=True)(CREATOR, WEEK))
    assert replaced.success and state(mini_db)[:3] == (3, "generator", pipeline)


def test_revisions_lists_who_saved_each_revision_and_when(
    cli_env: dict[str, str], env: ToolEnv, mini_db: Engine, clock: FixedClock
) -> None:
    cli_ok("generate", CREATOR)
    person_saves(env, by="alice")
    document = json.loads(cli_ok("schedules", "revisions", "1", "--json"))
    revisions: list[dict[str, Any]] = document["revisions"]
    assert [(r["revision"], r["saved_by_kind"], r["saved_by"], r["current"]) for r in revisions] == [
        (1, "generator", "v5", False),
        (2, "person", "alice", True),
    ]
    assert revisions[0]["saved_at"] == "2026-01-04T12:00:00Z"
    assert revisions[1]["saved_at"] == revisions[0]["replaced_at"]
    table = cli_ok("schedules", "revisions", "1")
    assert "generator v5" in table and "person alice" in table and "2 (current)" in table


def test_restore_brings_a_revision_back_as_a_new_one_saved_by_a_person(
    cli_env: dict[str, str], env: ToolEnv, mini_db: Engine
) -> None:
    cli_ok("generate", CREATOR)  # revision 1: approved, with its certificate
    person_saves(env)  # revision 2: a draft by alice
    output = cli_ok("schedules", "restore", "1", "--revision", "1", "--by", "bob")
    assert "revision 1 restored as revision 3 (approved)" in output  # its certificate still verifies
    document = json.loads(cli_ok("schedules", "revisions", "1", "--json"))
    newest = document["revisions"][-1]
    assert (newest["revision"], newest["status"], newest["saved_by"]) == (3, "approved", "bob")
    assert newest["schedule_hash"] == document["revisions"][0]["schedule_hash"]
    assert cli_error_code("generate", CREATOR) == "SCHEDULE_EDITED"  # a restore is a person's choice


def test_restore_refuses_the_current_an_unknown_or_a_locked_revision(
    cli_env: dict[str, str], env: ToolEnv, mini_db: Engine
) -> None:
    cli_ok("generate", CREATOR)
    person_saves(env)
    assert cli_error_code("schedules", "restore", "1", "--revision", "2") == "REVISION_IS_CURRENT"
    assert cli_error_code("schedules", "restore", "1", "--revision", "9") == "REVISION_NOT_FOUND"
    assert cli_error_code("schedules", "restore", "7", "--revision", "1") == "SCHEDULE_NOT_FOUND"
    with mini_db.begin() as conn:
        conn.execute(update(schedules).values(status="queued"))
    assert cli_error_code("schedules", "restore", "1", "--revision", "1") == "SCHEDULE_LOCKED"
    assert state(mini_db)[0] == 2


def test_a_saved_by_name_longer_than_its_column_is_refused(env: ToolEnv, cli_env: dict[str, str]) -> None:
    cli_ok("generate", CREATOR)
    with pytest.raises(ErosError) as refused:
        person_saves(env, by="x" * 101)
    assert refused.value.code == "INVALID_SAVED_BY"
    assert person_saves(env, by="x" * 100) == 2
