"""The scheduler's commands through the CLI: generate (table and --json), show, export csv/json/ics."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from eros.cli.app import _register, app
from eros.db.schema import creators, pipeline_runs
from support import database_env

NOW = "2026-01-04T12:00:00Z"
WEEK = "2026-01-05"


@pytest.fixture
def cli_env(sample_db: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment a scheduler would have: the sample database and a pinned clock."""
    env = {**database_env(sample_db), "EROS_NOW": NOW, "EROS_MCP_TRANSPORT": "inprocess"}
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    monkeypatch.delenv("EROS_SIGNING_KEY", raising=False)
    monkeypatch.delenv("EROS_LEARNINGS_PATH", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _register()
    return env


def _eros(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def test_generate_prints_the_week_and_saves_it(cli_env: dict[str, str]) -> None:
    output = _eros("generate", "alexia")
    assert "week of 2026-01-05" in output, "the week defaults to the Monday after EROS_NOW"
    assert "Mon 05 Jan" in output and "Sun 11 Jan" in output
    assert "APPROVED" in output
    assert "Expected revenue" in output
    assert "saved as schedule" in output


def test_every_generate_run_is_recorded_for_the_monitor(cli_env: dict[str, str], sample_db: Engine) -> None:
    _eros("generate", "alexia", "--dry-run")
    _eros("generate", "luna_free", "--pipeline", "v4", "--dry-run")
    with sample_db.connect() as conn:
        runs = conn.execute(
            select(
                pipeline_runs.c.pipeline,
                pipeline_runs.c.creator_id,
                pipeline_runs.c.route_reason,
                pipeline_runs.c.success,
            )
        ).all()
    assert sorted(tuple(run) for run in runs) == [
        ("v4", "luna_free", "manual", True),
        ("v5", "alexia", "manual", True),
    ]


def test_generate_json_is_one_document_with_items_validation_and_metrics(cli_env: dict[str, str]) -> None:
    document = json.loads(_eros("generate", "grace_bennett", "--week", WEEK, "--dry-run", "--json"))
    assert document["success"] is True and document["dry_run"] is True
    assert document["validation_status"] == "APPROVED"
    items = document["schedule"]["items"]
    assert len(items) == document["total_items"] > 0
    assert any(item["is_follow_up"] for item in items)
    assert document["validation"]["certificate"]["validation_status"] == "APPROVED"
    assert set(document["metrics"]) >= {"preflight", "generator", "validator", "total"}
    assert document["mcp_calls_total"] == document["metrics"]["total"]["mcp_calls"]
    assert document["schedule_id"] is None


def test_generate_a_bad_week_exits_with_the_error_code(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["generate", "alexia", "--week", "2026-13-01"])
    assert result.exit_code != 0
    assert getattr(result.exception, "code", None) == "INVALID_DATE"


def test_generate_all_ends_with_a_summary_of_every_active_creator(
    cli_env: dict[str, str], sample_db: Engine
) -> None:
    keep = ("ivy_rose_free", "sadie_moon")
    with sample_db.begin() as conn:
        conn.execute(update(creators).where(creators.c.page_name.not_in(keep)).values(is_active=False))
    document = json.loads(_eros("generate", "--all", "--dry-run", "--json", "--jobs", "2"))
    rows = document["results"]
    assert [row["creator_id"] for row in rows] == sorted(keep)
    assert all(row["status"] == "APPROVED" and row["mcp_calls"] <= 7 for row in rows)
    table = _eros("generate", "--all", "--dry-run")
    assert "2/2 succeeded" in table and "MINIMAL" in table
    for row in rows:
        assert f"${row['expected_revenue']:,.2f}" in table, "worker processes plan what one process plans"


def test_show_and_export_read_the_saved_week(cli_env: dict[str, str], tmp_path: Path) -> None:
    saved = json.loads(_eros("generate", "alexia", "--week", WEEK, "--json"))
    items = saved["schedule"]["items"]

    shown = _eros("show", "alexia", "--week", WEEK)
    assert "approved" in shown and "Mon 05 Jan" in shown
    assert str(saved["schedule_id"]) in _eros("show", str(saved["schedule_id"]))

    rows = list(csv.DictReader(io.StringIO(_eros("export", "alexia", "--week", WEEK, "--format", "csv"))))
    assert len(rows) == len(items)
    assert rows[0]["scheduled_date"] == WEEK
    assert {row["send_type_key"] for row in rows} == {item["send_type_key"] for item in items}

    exported = json.loads(_eros("export", str(saved["schedule_id"]), "--format", "json"))
    assert len(exported["items"]) == len(items) and exported["status"] == "approved"

    ics = tmp_path / "alexia.ics"
    _eros("export", "alexia", "--week", WEEK, "--format", "ics", "--out", str(ics))
    raw = ics.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert raw.count(b"BEGIN:VEVENT") == len(items)
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"DTSTART:20260105T" in raw
    events = Calendar.from_ical(raw).walk("VEVENT")
    zone = ZoneInfo(
        str(
            json.loads(_eros("mcp", "call", "get_creator_profile", "creator_id=alexia"))["creator"][
                "timezone"
            ]
        )
    )
    planned = sorted(
        datetime.combine(
            date.fromisoformat(i["scheduled_date"]), time.fromisoformat(i["scheduled_time"]), zone
        )
        for i in items
    )
    assert sorted(e.decoded("dtstart") for e in events) == planned  # UTC instants of the local times
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    again = tmp_path / "again.ics"
    _eros("export", "alexia", "--week", WEEK, "--format", "ics", "--out", str(again))
    assert [str(e["uid"]) for e in Calendar.from_ical(again.read_bytes()).walk("VEVENT")] == uids


def test_export_of_a_week_never_saved_is_a_clear_error(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["export", "alexia", "--week", "2026-03-02", "--format", "csv"])
    assert result.exit_code != 0
    assert getattr(result.exception, "code", None) == "SCHEDULE_NOT_FOUND"


def test_the_console_script_generates_json(cli_env: dict[str, str]) -> None:
    eros = Path(sys.executable).with_name("eros")
    env = {**os.environ, **cli_env}
    done = subprocess.run(
        [str(eros), "generate", "luna_free", "--dry-run", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["creator_id"] == "luna_free" and document["week_start"] == WEEK
