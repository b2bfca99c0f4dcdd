"""`eros mcp tools|call` and `eros schedules list|show|queue|complete` through the Typer app."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from eros.cli.app import _register, app
from eros.cli.mcp_commands import parse_arguments
from eros.clock import FixedClock, parse_instant
from eros.db.engine import make_engine
from eros.errors import ErosError
from eros.models import ValidationCertificate, ValidationStatus
from eros.tools.content import get_allowed_content_types, get_content_type_rankings
from eros.tools.schedules import save_schedule
from eros.validation.certificate import schedule_hash, sign
from support import tool_env

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


def test_queue_then_complete_an_approved_schedule(sample_copy: Path) -> None:
    engine = make_engine(f"sqlite:///{sample_copy}")
    env = tool_env(engine, FixedClock(parse_instant(NOW)), b"test-signing-key-not-secret")
    items = [{"send_type_key": "bump_normal", "scheduled_date": "2026-01-05", "scheduled_time": "14:22"}]
    cert = ValidationCertificate(
        creator_id="alexia",
        validation_timestamp=NOW,
        schedule_hash=schedule_hash(items, date(2026, 1, 5)),
        vault_types_hash=get_allowed_content_types(env, "alexia").vault_hash,
        avoid_types_hash=get_content_type_rankings(env, "alexia").avoid_types_hash,
        items_validated=1,
        quality_score=90.0,
        validation_status=ValidationStatus.APPROVED,
        checks_performed={},
        violations_found={},
    )
    signed = sign(cert, env.signing_key).model_dump(mode="json")
    saved = save_schedule(env, "alexia", "2026-01-05", items, signed)
    engine.dispose()
    assert saved.status == "approved"
    queued = run("schedules", "queue", str(saved.schedule_id))
    assert queued.exit_code == 0 and "queued" in queued.output
    completed = run("schedules", "complete", str(saved.schedule_id))
    assert completed.exit_code == 0 and "completed" in completed.output
    assert "completed" in run("schedules", "list", "--status", "completed").output
