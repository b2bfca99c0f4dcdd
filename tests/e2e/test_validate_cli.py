"""`eros validate` through the CLI: every accepted file shape, saved schedules, exit codes, clear errors."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from eros.cli.app import _register, app
from eros.clock import FixedClock, parse_instant
from eros.errors import ErosError
from eros.infra.mcp_clients import InProcessClient
from eros.rules.send_types import SEND_TYPES, Category
from eros.scheduling.generator import plan_week
from eros.services.preflight import PreflightEngine
from support import database_env, tool_env

NOW = "2026-01-04T12:00:00Z"
WEEK = "2026-01-05"


@pytest.fixture
def cli_env(sample_db: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {**database_env(sample_db), "EROS_NOW": NOW, "EROS_MCP_TRANSPORT": "inprocess"}
    for name in ("EROS_DB_URL", "EROS_SIGNING_KEY", "EROS_LEARNINGS_PATH"):
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _register()
    return env


@pytest.fixture
def client(sample_db: Engine) -> InProcessClient:
    return InProcessClient(tool_env(sample_db, FixedClock(parse_instant(NOW)), b"unused"))


@pytest.fixture
def planned(client: InProcessClient) -> list[dict[str, Any]]:
    """A week the built-in generator planned for alexia, as JSON items."""
    context = asyncio.run(
        PreflightEngine(client, clock=FixedClock(parse_instant(NOW))).execute("alexia", WEEK)
    )
    return [item.model_dump(mode="json") for item in plan_week(context, use_solver=False).items]


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _write(tmp_path: Path, document: Any, name: str = "week.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def test_a_generated_week_is_approved_with_exit_0(cli_env, tmp_path, planned):
    result = _run("validate", _write(tmp_path, {"items": planned}), "--creator", "alexia", "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert "APPROVED" in result.output
    for name in ("volume_adherence", "prime_hours", "followup_coverage", "expected_revenue"):
        assert name in result.output


def test_json_output_names_status_components_and_two_validation_calls(cli_env, tmp_path, planned):
    result = _run("validate", _write(tmp_path, planned), "--creator", "alexia", "--week", WEEK, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["status"] == "APPROVED" and document["violations"] == []
    assert document["mcp_calls"]["validation"] == 2
    assert document["creator_id"] and document["week_start"] == WEEK
    assert sum(c["max_points"] for c in document["components"]) == 100
    assert document["certificate"]["schedule_hash"].startswith("sha256:")


def test_generate_json_shape_needs_no_options(cli_env, tmp_path, planned):
    document = {"creator_id": "alexia", "week_start": WEEK, "schedule": {"items": planned}, "success": True}
    result = _run("validate", _write(tmp_path, document), "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["week_start"] == WEEK and answer["items"] == len(planned) > 0
    assert answer["status"] == "APPROVED"


def test_every_violation_is_listed_with_code_and_item_and_exit_1(cli_env, tmp_path, planned):
    items = [dict(item) for item in planned]
    parents = {item.get("parent_item_index") for item in items}
    bump = next(
        i
        for i, item in enumerate(items)
        if SEND_TYPES[item["send_type_key"]].category is Category.ENGAGEMENT and i not in parents
    )
    priced = next(i for i, item in enumerate(items) if item.get("price") and not item.get("is_follow_up"))
    flyer = next(i for i, item in enumerate(items) if item.get("flyer_required") == 1 and i != priced)
    items[bump]["scheduled_time"] = "04:11"
    items[priced]["price"] = 50.01
    items[flyer]["flyer_required"] = 0
    items.append({"send_type_key": "mega_blast", "scheduled_date": WEEK, "scheduled_time": "12:01"})
    result = _run("validate", _write(tmp_path, items), "--creator", "alexia", "--week", WEEK, "--json")
    assert result.exit_code == 1, result.output
    found = {(v["code"], tuple(v["items"])) for v in json.loads(result.output)["violations"]}
    assert ("TIMING_COLLISION", (bump,)) in found
    assert ("PRICE_OUT_OF_BOUNDS", (priced,)) in found
    assert ("FLYER_REQUIREMENT_VIOLATION", (flyer,)) in found
    assert ("STRUCTURE_ERROR", (len(items) - 1,)) in found
    assert json.loads(result.output)["certificate"] is None
    table = _run("validate", _write(tmp_path, items), "--creator", "alexia", "--week", WEEK)
    assert table.exit_code == 1 and "REJECTED" in table.output and "PRICE_OUT_OF_BOUNDS" in table.output


def test_a_valid_but_careless_week_needs_review_and_is_not_rejected(cli_env, tmp_path, planned):
    careless = [
        {**item, "price": 49.0 if item.get("price") else None, "caption_id": planned[0]["caption_id"]}
        for item in planned
        if item["send_type_key"] != "ppv_followup"
    ]
    result = _run("validate", _write(tmp_path, careless), "--creator", "alexia", "--week", WEEK, "--json")
    document = json.loads(result.output)
    assert document["violations"] == []
    assert result.exit_code == 0 and document["status"] == "NEEDS_REVIEW", document["quality_score"]


def test_a_saved_schedule_is_validated_by_id(cli_env, client, planned):
    saved = asyncio.run(
        client.call_tool("save_schedule", {"creator_id": "alexia", "week_start": WEEK, "items": planned})
    )
    result = _run("validate", str(saved["schedule_id"]), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["source"] == f"schedule {saved['schedule_id']}"
    missing = _run("validate", "999999")
    assert isinstance(missing.exception, ErosError) and missing.exception.code == "SCHEDULE_NOT_FOUND"


def test_a_file_without_whose_week_it_is_asks_for_the_options(cli_env, tmp_path, planned):
    result = _run("validate", _write(tmp_path, planned))
    assert isinstance(result.exception, ErosError) and result.exception.code == "MISSING_OPTION"
    assert "--creator" in result.exception.message


def test_not_a_schedule_document_is_invalid_json(cli_env, tmp_path):
    result = _run("validate", _write(tmp_path, {"nothing": 1}), "--creator", "alexia", "--week", WEEK)
    assert isinstance(result.exception, ErosError) and result.exception.code == "INVALID_JSON"


def test_broken_json_exits_2_with_invalid_json(cli_env, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"items": [')
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from eros.cli.app import main; main()",
            "validate",
            str(path),
            "--creator",
            "alexia",
            "--week",
            WEEK,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **cli_env},
        check=False,
    )
    assert completed.returncode == 2
    assert "INVALID_JSON" in completed.stderr and "line 1" in completed.stderr
    assert path.read_text() == '{"items": ['  # the input is never touched
