"""`generate --all` and `run --all` reach every creator, however long the roster (issue 14 item 3).

A 600-creator roster is longer than one page of `get_active_creators` (500): both commands must
report 600 outcomes. The pipelines themselves are replaced by a stand-in that records whom it
ran for, so what is tested is the paging, not the optimiser (the real pipelines over `--jobs`
processes are `test_generate_cli`'s and `test_jobs_run_the_router_in_worker_processes`'s).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from eros.cli.generate_commands import ROSTER_PAGE, RecordedJob
from eros.db.schema import creators
from eros.services.pipeline_run import PipelineResult
from eros.services.routing import PipelineRouter
from support import cli_ok, use_database

ROSTER = 600
NOW = "2026-01-04T12:00:00Z"


@pytest.fixture
def roster(empty_db: Engine, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """600 active creators (and one inactive one nobody may run for); the CLI pointed at them."""
    ids = [f"creator_{n:04d}" for n in range(ROSTER)]
    rows: list[dict[str, Any]] = [
        {"creator_id": cid, "page_name": cid, "display_name": cid, "page_type": "paid", "is_active": True}
        for cid in ids
    ]
    rows.append({**rows[0], "creator_id": "gone", "page_name": "gone", "is_active": False})
    with empty_db.begin() as conn:
        conn.execute(creators.insert(), rows)
    use_database(monkeypatch, empty_db)
    monkeypatch.setenv("EROS_NOW", NOW)
    monkeypatch.setenv("EROS_SIGNING_KEY", "roster-key")
    monkeypatch.setenv("EROS_MCP_TRANSPORT", "inprocess")
    return ids


def _result(creator_id: str, week_start: str) -> PipelineResult:
    return PipelineResult(success=True, creator_id=creator_id, week_start=week_start, dry_run=True)


def test_the_roster_is_longer_than_one_page() -> None:
    assert ROSTER_PAGE < ROSTER


def test_generate_all_reports_every_creator(roster: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    async def run(self: RecordedJob, creator_id: str, week_start: str, dry_run: bool) -> PipelineResult:
        ran.append(creator_id)
        return _result(creator_id, week_start)

    monkeypatch.setattr(RecordedJob, "run", run)
    document = json.loads(cli_ok("generate", "--all", "--dry-run", "--json"))
    reported = [row["creator_id"] for row in document["results"]]
    assert len(reported) == ROSTER
    assert reported == sorted(roster) == ran  # once each, in page-name order, the inactive one not at all


def test_generate_all_table_counts_every_creator(roster: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    async def run(self: RecordedJob, creator_id: str, week_start: str, dry_run: bool) -> PipelineResult:
        return _result(creator_id, week_start)

    monkeypatch.setattr(RecordedJob, "run", run)
    assert f"{ROSTER}/{ROSTER} succeeded" in cli_ok("generate", "--all", "--dry-run")


def test_run_all_reports_every_creator(roster: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    async def route(self: PipelineRouter, creator_id: str, week_start: str, **_: Any) -> PipelineResult:
        ran.append(creator_id)
        return _result(creator_id, week_start)

    monkeypatch.setattr(PipelineRouter, "route", route)
    document = json.loads(cli_ok("run", "--all", "--dry-run", "--json"))
    reported = [row["creator_id"] for row in document["results"]]
    assert len(reported) == ROSTER
    assert sorted(reported) == sorted(roster) == sorted(ran)


def test_jobs_run_the_router_in_worker_processes(mini_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    use_database(monkeypatch, mini_db)
    monkeypatch.setenv("EROS_NOW", NOW)
    monkeypatch.setenv("EROS_SIGNING_KEY", "roster-key")
    monkeypatch.setenv("EROS_MCP_TRANSPORT", "inprocess")
    alone = json.loads(cli_ok("run", "--all", "--dry-run", "--json"))["results"]
    workers = json.loads(cli_ok("run", "--all", "--dry-run", "--json", "--jobs", "2"))["results"]
    assert [row["creator_id"] for row in workers] == ["test", "test_free", "test_premium"]
    assert all(row["success"] for row in workers)
    assert [(r["pipeline"], r["total_items"], r["quality_score"]) for r in workers] == [
        (r["pipeline"], r["total_items"], r["quality_score"]) for r in alone
    ], "worker processes plan what one process plans"
