"""The on-call commands through the CLI: flags, route, run, rollback, restore, status, check, alerts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from eros.bootstrap import bootstrap
from eros.cli.app import _register, app
from eros.db.schema import pipeline_runs
from eros.learning.capture import LEARNINGS_FILE
from eros.monitoring import PipelineMonitor
from eros.services.pipeline_run import PipelineResult
from support import database_env

NOW = "2026-01-04T12:00:00Z"
WEEK = "2026-01-05"


@pytest.fixture
def cli_env(sample_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """An operator's shell on the sample database with a pinned clock and no v5 variables set."""
    env = {**database_env(sample_db), "EROS_NOW": NOW, "EROS_MCP_TRANSPORT": "inprocess"}
    for key in [k for k in os.environ if k.startswith("EROS_")]:
        monkeypatch.delenv(key)  # restored by monkeypatch after this fixture's teardown
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _register()
    yield env
    os.environ.pop("EROS_V5_ENABLED", None)  # a rollback mirrors itself into this process (D4)


def eros(*args: str, exit_code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == exit_code, f"{result.output}\n{result.exception!r}"
    return result.output


def test_flags_set_show_and_unset_with_an_audit_trail(cli_env: dict[str, str]) -> None:
    assert "None → 'true' (by alice)" in eros("flags", "set", "v5_enabled", "yes", "--by", "alice")
    eros("flags", "set", "EROS_V5_PERCENTAGE", "25", "--by", "bob", "--reason", "phase 3a")
    shown = json.loads(eros("flags", "show", "--json"))
    assert shown["flags"]["EROS_V5_ENABLED"] == {"value": True, "source": "override"}
    assert shown["flags"]["EROS_V5_PERCENTAGE"] == {"value": 25, "source": "override"}
    assert shown["flags"]["EROS_V5_AUTO_FALLBACK"] == {"value": True, "source": "default"}
    table = eros("flags", "show")
    assert "bob: EROS_V5_PERCENTAGE None → '25' (phase 3a)" in table
    eros("flags", "unset", "EROS_V5_PERCENTAGE", "--by", "bob")
    assert json.loads(eros("flags", "show", "--json"))["flags"]["EROS_V5_PERCENTAGE"]["source"] == "default"


def test_a_bad_flag_value_is_refused_with_its_code(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["flags", "set", "EROS_V5_PERCENTAGE", "150"])
    assert result.exit_code != 0 and getattr(result.exception, "code", None) == "INVALID_FLAG_VALUE"
    assert json.loads(eros("flags", "show", "--json"))["flags"]["EROS_V5_PERCENTAGE"]["source"] == "default"


def test_route_explains_the_decision(cli_env: dict[str, str]) -> None:
    eros("flags", "set", "EROS_V5_ENABLED", "true")
    eros("flags", "set", "EROS_V5_CREATORS", "alexia,grace_bennett")
    decision = json.loads(eros("route", "alexia", "--json"))
    assert (decision["pipeline"], decision["reason"], decision["bucket"]) == ("v5", "allowlisted", 37)
    text = eros("route", "maya_hill")
    assert "maya_hill → v4" in text and "reason: default" in text and "bucket 92" in text


def test_rollback_history_and_restore(cli_env: dict[str, str]) -> None:
    eros("flags", "set", "EROS_V5_ENABLED", "true")
    eros("flags", "set", "EROS_V5_PERCENTAGE", "100")
    out = eros("rollback", "--reason", "bad PPV prices", "--by", "oncall")
    assert "active → disabled" in out and "verified v4: True" in out
    assert json.loads(eros("route", "alexia", "--json"))["reason"] == "rolled_back"
    [event] = json.loads(eros("rollback", "history", "--json"))
    assert (event["reason"], event["initiator"], event["automatic"]) == ("bad PPV prices", "oncall", False)

    refused = CliRunner().invoke(app, ["restore", "--confirm", "yes"])
    assert getattr(refused.exception, "code", None) == "RESTORE_NOT_CONFIRMED"
    assert json.loads(eros("route", "alexia", "--json"))["pipeline"] == "v4"
    assert "disabled → active" in eros(
        "rollback", "restore", "--confirm", "RESTORE_V5_CONFIRMED", "--by", "lead"
    )
    assert json.loads(eros("route", "alexia", "--json"))["pipeline"] == "v5"
    # a second restore while v5 is active changes nothing and records nothing (issue 12)
    assert "already active" in eros("rollback", "restore", "--confirm", "RESTORE_V5_CONFIRMED", exit_code=1)
    assert [e["action"] for e in json.loads(eros("rollback", "history", "--json"))] == ["restore", "rollback"]

    alerts = json.loads(eros("alerts", "list", "--json"))
    assert alerts[0]["code"] == "V5_MANUAL_ROLLBACK" and alerts[0]["resolved_at"] is not None
    assert alerts[0]["deliveries"][0]["sink"] == "log" and alerts[0]["deliveries"][0]["delivered"]


def test_check_rolls_back_on_a_trigger_and_status_and_metrics_show_it(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    monitor = PipelineMonitor()
    for i in range(5):
        monitor.record_execution(
            PipelineResult(success=False, creator_id=f"c{i}", week_start=WEEK, pipeline="v5"),
            duration_ms=2000,
        )
    assert "rollback" in eros("check", exit_code=1)
    status = json.loads(eros("status", "--json"))
    assert status["status"]["rollback_state"] == "disabled"
    assert status["status"]["health"] == "unhealthy"
    assert "V5_AUTO_ROLLBACK" in status["status"]["open_alerts"]
    screen = eros("status")
    assert "rollback state disabled" in screen and "success_rate" in screen
    target = tmp_path / "metrics.prom"
    eros("metrics", "--output", str(target))
    text = target.read_text()
    assert 'eros_rollback_state{state="disabled"} 1.0' in text
    assert 'eros_pipeline_runs_total{outcome="failure",pipeline="v5",shadow="false"} 5.0' in text
    assert 'eros_alerts_open{code="V5_AUTO_ROLLBACK"} 1.0' in text
    assert 'eros_pipeline_health{pipeline="v5"} 2.0' in text  # unhealthy, as `status` says


def test_run_routes_each_creator_through_the_real_pipelines(
    cli_env: dict[str, str], sample_db: Engine
) -> None:
    eros("flags", "set", "EROS_V5_ENABLED", "true")
    eros("flags", "set", "EROS_V5_CREATORS", "alexia")
    document = json.loads(eros("run", "alexia", "luna_free", "--week", WEEK, "--dry-run", "--json"))
    rows = {row["creator_id"]: row for row in document["results"]}
    assert rows["luna_free"]["pipeline"] == "v4" and rows["luna_free"]["success"]
    assert rows["alexia"]["success"]  # served by v5, or by v4 after an auto-fallback
    with sample_db.connect() as conn:
        recorded = {(r.creator_id, r.pipeline, r.route_reason) for r in conn.execute(select(pipeline_runs))}
    assert ("alexia", "v5", "allowlisted") in recorded and ("luna_free", "v4", "default") in recorded


def test_errors_exit_2_with_their_code_from_the_console_script(cli_env: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EROS_")} | cli_env
    done = subprocess.run(
        [str(Path(sys.executable).parent / "eros"), "restore", "--confirm", "nope"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "RESTORE_NOT_CONFIRMED" in done.stderr


BROKEN_LEARNINGS = """# LEARNINGS

## HIGH Confidence

### [2026-01-02] No sends at 2 AM
**Pattern**: sends at 2 AM
**Issue**: nobody is awake
**Correction**: avoid 2 AM
**Source**: user | **Violation Code**: TIMING
**Applies To**: all
**Directive**: {"avoid_hours": [2]}

<<<<<<< HEAD
### [2026-01-03] half of a merge
=======
"""


def test_check_turns_a_broken_learnings_file_into_one_alert_and_signals(
    cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: what generation skips in LEARNINGS.md is alerted once per episode and recorded."""
    learnings = tmp_path / "LEARNINGS.md"
    learnings.write_text(BROKEN_LEARNINGS, encoding="utf-8")
    monkeypatch.setenv("EROS_LEARNINGS_PATH", str(learnings))
    assert "alert raised LEARNINGS_INVALID" in eros("check")
    assert "LEARNINGS_INVALID" not in eros("check")  # the episode is open: no second alert
    open_alerts = json.loads(eros("alerts", "list", "--open", "--json"))
    assert [a["code"] for a in open_alerts if a["code"] == "LEARNINGS_INVALID"] == ["LEARNINGS_INVALID"]
    with bootstrap().uow() as uow:
        recorded = [s for s in uow.signals.pending() if s.kind == LEARNINGS_FILE]
    assert recorded and all(s.code == "LEARNINGS_INVALID" and s.payload["line"] for s in recorded)
    learnings.write_text(BROKEN_LEARNINGS.split("<<<<<<<", maxsplit=1)[0], encoding="utf-8")
    eros("check")
    open_alerts = json.loads(eros("alerts", "list", "--open", "--json"))
    assert [a for a in open_alerts if a["code"] == "LEARNINGS_INVALID"] == []
