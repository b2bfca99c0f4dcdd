"""The v4 legacy pipeline over the sample: valid schedules, real per-slot calls, the same certificates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from eros.bootstrap import bootstrap, pipeline_runner, v4_runner
from eros.cli.app import _register, app
from eros.clock import FixedClock
from eros.config import load_settings
from eros.db.schema import creators
from eros.errors import ConfigError
from eros.infra.mcp_clients import InProcessClient
from eros.legacy.pipeline import PHASES, LegacyPipeline
from eros.validation.certificate import schedule_hash, stored_hash
from support import tool_env, use_database

WEEK = "2026-01-05"
SIGNING_KEY = b"legacy-test-key"


def _pipeline(engine: Engine, clock: FixedClock) -> tuple[LegacyPipeline, InProcessClient]:
    client = InProcessClient(tool_env(engine, clock, SIGNING_KEY))
    return LegacyPipeline(client, SIGNING_KEY, clock), client


async def _saved(client: InProcessClient, creator: str) -> list[dict[str, Any]]:
    answer = await client.call_tool("get_schedules", {"creator_id": creator, "include_items": True})
    return list(answer["schedules"])


@pytest.mark.parametrize("creator", ["alexia", "luna_free", "ivy_rose_free"])
async def test_sample_creators_get_valid_saved_schedules(
    sample_db: Engine, clock: FixedClock, creator: str
) -> None:
    pipeline, client = _pipeline(sample_db, clock)
    result = await pipeline(creator, WEEK)

    assert result.success, result.errors
    assert result.pipeline == "v4"
    assert result.validation_status in {"APPROVED", "NEEDS_REVIEW"}
    assert result.hard_gate_violations == 0 and result.validation is not None
    assert result.validation["violations"] == []
    assert result.expected_revenue is not None and result.expected_revenue > 0
    assert list(result.metrics) == [*PHASES, "total"]
    calls = {name: m["mcp_calls"] for name, m in result.metrics.items()}
    assert sum(calls[name] for name in PHASES) == calls["total"] == client.calls
    slots = result.metrics["allocation"]["slots"]
    # one caption call per allocated slot and per follow-up, plus preflight, trends, validation and save
    assert calls["caption_selection"] == slots
    assert calls["followups"] == result.metrics["followups"]["followups"]
    assert calls["preflight"] == 9 and calls["performance"] == 3 and calls["validation"] == 3
    assert calls["total"] >= result.total_items >= slots - result.metrics["timing"]["dropped"]
    assert calls["total"] >= 50
    assert all(m["status"] == "ok" for m in result.metrics.values())

    saved = await _saved(client, result.creator_id)
    assert [s["schedule_id"] for s in saved] == [result.schedule_id]
    expected_status = "approved" if result.validation_status == "APPROVED" else "draft"
    assert saved[0]["status"] == expected_status == result.schedule["saved_status"]  # type: ignore[index]
    certificate = result.validation["certificate"]
    items = result.schedule["items"]  # type: ignore[index]
    assert certificate["schedule_hash"] == schedule_hash(items, date.fromisoformat(WEEK))
    assert saved[0]["schedule_hash"] == stored_hash(certificate["schedule_hash"])


async def test_same_data_same_week_same_schedule_and_dry_runs_save_nothing(
    sample_db: Engine, clock: FixedClock
) -> None:
    pipeline, client = _pipeline(sample_db, clock)
    first = await pipeline("alexia", WEEK, dry_run=True)
    again = await pipeline("alexia", WEEK, dry_run=True)
    other_week = await pipeline("alexia", "2026-01-12", dry_run=True)

    assert first.success and first.dry_run and first.schedule_id is None
    assert first.schedule["items"] == again.schedule["items"]  # type: ignore[index]
    times = [i["scheduled_time"] for i in first.schedule["items"]]  # type: ignore[index]
    assert times != [i["scheduled_time"] for i in other_week.schedule["items"]]  # type: ignore[index]
    assert first.metrics["validation"]["mcp_calls"] == 2  # vault and rankings re-read, no save
    assert await _saved(client, "alexia") == []


async def test_followups_link_to_parents_and_captions_are_fresh_first(
    sample_db: Engine, clock: FixedClock
) -> None:
    pipeline, _ = _pipeline(sample_db, clock)
    result = await pipeline("grace_bennett", WEEK, dry_run=True)
    items = result.schedule["items"]  # type: ignore[index]
    followups = [i for i in items if i["send_type_key"] == "ppv_followup"]
    assert followups
    for item in followups:
        parent = items[item["parent_item_index"]]
        assert parent["send_type_key"] in {"ppv_unlock", "tip_goal"}
        assert 15 <= item["delay_minutes"] <= 45
    assert result.metrics["caption_selection"]["levels"].get("L1", 0) > result.total_items // 2


async def test_an_inactive_creator_fails_in_preflight_with_a_code(
    sample_db: Engine, clock: FixedClock
) -> None:
    with sample_db.begin() as conn:
        conn.execute(update(creators).where(creators.c.page_name == "alexia").values(is_active=False))
    pipeline, client = _pipeline(sample_db, clock)
    result = await pipeline("alexia", WEEK)
    assert not result.success
    assert result.metrics["preflight"]["status"] == "error"
    assert "CREATOR_INACTIVE" in result.errors[0]
    assert result.metrics["total"]["mcp_calls"] == 1 == client.calls
    assert result.metrics["allocation"]["status"] == "skipped"


async def test_an_unknown_creator_and_a_bad_week_fail_clearly(sample_db: Engine, clock: FixedClock) -> None:
    pipeline, _ = _pipeline(sample_db, clock)
    unknown = await pipeline("nobody_here", WEEK)
    bad_week = await pipeline("alexia", "2026-13-01")
    assert not unknown.success and "CREATOR_NOT_FOUND" in unknown.errors[0]
    assert not bad_week.success and "INVALID_DATE" in bad_week.errors[0]


async def test_bootstrap_builds_the_builtin_runner(sample_db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    target.write_bytes(sample_db_path.read_bytes())
    env = {"EROS_DB_PATH": str(target), "EROS_NOW": "2026-01-04T12:00:00Z", "EROS_SIGNING_KEY": "k"}
    container = bootstrap(load_settings(env))
    runner = pipeline_runner(container, "v4")
    assert isinstance(runner, LegacyPipeline) and isinstance(v4_runner(container), LegacyPipeline)
    result = await runner("luna_free", WEEK, dry_run=True)
    assert result.success and result.validation_status in {"APPROVED", "NEEDS_REVIEW"}


@pytest.fixture
def cli_env(sample_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler's environment: the sample copy, a pinned clock, the built-in v4."""
    monkeypatch.delenv("EROS_SIGNING_KEY", raising=False)
    use_database(monkeypatch, sample_db)
    monkeypatch.setenv("EROS_NOW", "2026-01-04T12:00:00Z")
    monkeypatch.setenv("EROS_MCP_TRANSPORT", "inprocess")
    monkeypatch.setenv("EROS_V4_RUNNER", "builtin")
    _register()


def test_eros_generate_pipeline_v4_saves_the_same_shape_as_v5(cli_env: None) -> None:
    result = CliRunner().invoke(app, ["generate", "alexia", "--week", WEEK, "--pipeline", "v4", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["success"] is True and document["validation_status"] == "APPROVED"
    assert document["schedule"]["generator"] == "v4" and document["schedule"]["saved_status"] == "approved"
    assert document["validation"]["certificate"]["validation_status"] == "APPROVED"
    assert len(document["schedule"]["items"]) == document["total_items"]


def test_eros_generate_with_a_broken_v4_runner_exits_2_naming_it(
    cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EROS_V4_RUNNER", "not_a_module_xyz:run")
    result = CliRunner().invoke(app, ["generate", "alexia", "--pipeline", "v4"], standalone_mode=False)
    assert isinstance(result.exception, ConfigError)
    assert result.exception.code == "V4_RUNNER_INVALID" and "not_a_module_xyz" in result.exception.message
