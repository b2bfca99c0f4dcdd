"""`eros mcp tools|call` and `eros schedules list|show|queue|complete` through the Typer app."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from eros.cli.app import _register, app
from eros.cli.mcp_commands import parse_arguments
from eros.db.engine import make_engine
from eros.db.schema import caption_creator_usage, schedules
from eros.errors import ErosError

NOW = "2026-01-04T12:00:00Z"


@pytest.fixture
def sample_copy(sample_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "eros.db"
    shutil.copyfile(sample_db_path, target)
    monkeypatch.setenv("EROS_DB_PATH", str(target))
    monkeypatch.setenv("EROS_NOW", NOW)
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    monkeypatch.delenv("EROS_MCP_TRANSPORT", raising=False)
    _register()
    return target


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_arguments_are_json_when_they_parse() -> None:
    assert parse_arguments(["limit=2", "tier=STANDARD", "flag=true", 'items=[{"a": 1}]', "note=a=b"]) == {
        "limit": 2,
        "tier": "STANDARD",
        "flag": True,
        "items": [{"a": 1}],
        "note": "a=b",
    }
    with pytest.raises(ErosError):
        parse_arguments(["nokey"])


def test_mcp_tools_lists_every_tool(sample_copy: Path) -> None:
    result = run("mcp", "tools", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 17


def test_mcp_call_prints_json_and_an_error_exits_1(sample_copy: Path) -> None:
    ok = run("mcp", "call", "get_active_creators", "limit=2", "sort_by=name", "sort_order=asc")
    assert ok.exit_code == 0, ok.output
    answer = json.loads(ok.output)
    assert answer["count"] == 2 and answer["total_count"] == 37
    bad = run("mcp", "call", "get_creator_profile", "creator_id=ghost")
    assert bad.exit_code == 1
    assert json.loads(bad.output)["error_code"] == "CREATOR_NOT_FOUND"


def test_schedules_lifecycle_through_the_cli(sample_copy: Path) -> None:
    items = json.dumps(
        [{"send_type_key": "bump_normal", "scheduled_date": "2026-01-05", "scheduled_time": "14:22"}]
    )
    saved = run(
        "mcp", "call", "save_schedule", "creator_id=alexia", "week_start=2026-01-05", f"items={items}"
    )
    assert saved.exit_code == 0, saved.output
    schedule_id = str(json.loads(saved.output)["schedule_id"])
    listed = run("schedules", "list", "alexia")
    assert listed.exit_code == 0 and "draft" in listed.output
    shown = run("schedules", "show", schedule_id)
    assert "no validation certificate" in shown.output
    refused = run("schedules", "queue", schedule_id)
    assert refused.exit_code != 0
    assert isinstance(refused.exception, ErosError) and refused.exception.code == "INVALID_STATUS_TRANSITION"


def _approved_week(sample_copy: Path) -> str:
    """A week the real pipeline generated, validated, signed and saved as approved; its id."""
    generated = run("generate", "alexia", "--week", "2026-01-05", "--json")
    assert generated.exit_code == 0, generated.output
    saved = json.loads(generated.output)
    assert saved["schedule"]["saved_status"] == "approved"
    return str(saved["schedule_id"])


def test_queue_then_complete_an_approved_schedule(sample_copy: Path) -> None:
    schedule_id = _approved_week(sample_copy)
    queued = run("schedules", "queue", schedule_id)
    assert queued.exit_code == 0 and "queued" in queued.output, queued.output
    completed = run("schedules", "complete", schedule_id)
    assert completed.exit_code == 0 and "completed" in completed.output
    assert "completed" in run("schedules", "list", "--status", "completed").output


def _stored(sample_copy: Path, schedule_id: str) -> tuple[str, list[dict[str, Any]]]:
    engine = make_engine(f"sqlite:///{sample_copy}")
    with engine.connect() as conn:
        row = conn.execute(
            select(schedules.c.status, schedules.c.items_json).where(
                schedules.c.schedule_id == int(schedule_id)
            )
        ).one()
    engine.dispose()
    return row.status, json.loads(row.items_json)


def test_queue_refuses_a_stored_week_that_breaks_a_hard_gate(sample_copy: Path) -> None:
    """Defence in depth: an approved row whose items were shuffled after the save (as the old
    position-blind hash allowed) is not queued; the violations are listed and nothing changes."""
    schedule_id = _approved_week(sample_copy)
    _, items = _stored(sample_copy, schedule_id)
    shuffled = list(reversed(items))
    engine = make_engine(f"sqlite:///{sample_copy}")
    with engine.begin() as conn:
        conn.execute(
            schedules.update()
            .where(schedules.c.schedule_id == int(schedule_id))
            .values(items_json=json.dumps(shuffled))
        )
        usage_before = conn.execute(select(func.count()).select_from(caption_creator_usage)).scalar()
    refused = run("schedules", "queue", schedule_id)
    assert isinstance(refused.exception, ErosError) and refused.exception.code == "SCHEDULE_REJECTED"
    violations = refused.exception.details["violations"]
    assert violations and {v["code"] for v in violations} >= {"FOLLOWUP_VIOLATION"}
    assert "hard-gate violations in the stored week" in refused.output
    assert _stored(sample_copy, schedule_id)[0] == "approved"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(caption_creator_usage)).scalar() == usage_before
    engine.dispose()
