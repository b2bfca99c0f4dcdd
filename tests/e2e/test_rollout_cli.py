"""`eros rollout …`, `eros shadow report`, `eros simulate rollout` through the CLI on a sample copy,
and Phase 4: the refused cutover (exit 2, what fails), `eros rollout confirm`, the v4 removal date
in `eros status` / `eros rollout status` / `eros rollout report`, v4's one-line deprecation note."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eros.bootstrap import bootstrap, rollout_manager
from eros.cli.app import EXIT_ERROR, _register, run
from eros.db.engine import make_engine
from eros.db.schema import (
    pipeline_runs,
    rollout_transitions,
    schedule_revisions,
    schedules,
    shadow_comparisons,
)
from support import clear_flag_variables, cli, cli_error_code, cli_ok

NOW = "2026-01-04T12:00:00Z"


@pytest.fixture(autouse=True)
def _cli(sample_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "eros.db"
    shutil.copyfile(sample_db_path, target)
    monkeypatch.setenv("EROS_DB_PATH", str(target))
    monkeypatch.setenv("EROS_NOW", NOW)
    clear_flag_variables(monkeypatch)
    _register()
    return target


def test_phases_are_listed_with_their_flags() -> None:
    phases = json.loads(cli_ok("rollout", "phases", "--json"))
    assert [p["name"] for p in phases][:3] == ["shadow", "canary", "early_adopters"]
    assert phases[6]["flags"]["EROS_V5_PERCENTAGE"] == "100"
    assert "comparisons >= 50" in phases[0]["success"]
    assert "canary" in cli_ok("rollout", "phases")


def test_rollout_walkthrough_gates_forced_advance_hold_and_abort() -> None:
    assert "not started" in cli_ok("rollout", "status")
    assert "start: phase - → 0 (shadow)" in cli_ok("rollout", "advance", "--by", "alice")
    status = json.loads(cli_ok("rollout", "status", "--json"))
    assert (status["phase"], status["analysis"]["outcome"]) == (0, "inconclusive")
    assert status["flags"]["EROS_V5_SHADOW_MODE"] == "true"

    assert cli_error_code("rollout", "advance") == "ROLLOUT_CRITERIA_UNMET"
    assert cli_error_code("rollout", "advance", "--force") == "REASON_REQUIRED"
    out = cli_ok("rollout", "advance", "--force", "--reason", "shadow ran in staging", "--by", "lead")
    assert "phase 0 → 1 (canary)" in out and "(forced)" in out and "EROS_V5_CREATORS='alexia'" in out
    assert "held in phase 1" in cli_ok("rollout", "hold", "--reason", "holiday freeze", "--by", "lead")
    assert "abort: phase 1 → 0 (shadow)" in cli_ok(
        "rollout", "abort", "--reason", "quality dip", "--by", "oncall"
    )

    transitions = json.loads(cli_ok("rollout", "status", "--json"))["transitions"]
    assert [(t["outcome"], t["actor"]) for t in transitions] == [
        ("abort", "oncall"),
        ("hold", "lead"),
        ("inconclusive", "lead"),
        ("start", "alice"),
    ]
    assert transitions[2]["forced"] is True and transitions[2]["reason"] == "shadow ran in staging"


def test_shadow_run_is_reported_and_leaves_no_v5_schedule(_cli: Path) -> None:
    cli_ok("rollout", "advance", "--by", "alice")  # phase 0: shadow mode on
    cli_ok("run", "alexia", "--week", "2026-01-05")
    report = json.loads(cli_ok("shadow", "report", "--date", "2026-01-04", "--json"))
    assert report["summary"]["comparisons"] == 1
    assert report["per_creator"][0]["creator_id"] == "alexia"
    assert "Shadow comparisons 2026-01-04" in cli_ok("shadow", "report", "--date", "2026-01-04")
    engine = make_engine(f"sqlite:///{_cli}")
    with engine.connect() as conn:
        saved = conn.execute(select(func.count()).select_from(schedules)).scalar_one()
        revisions = conn.execute(select(schedules.c.revision)).scalar_one()
        replaced = conn.execute(select(func.count()).select_from(schedule_revisions)).scalar_one()
        runs = sorted((r.pipeline, r.shadow) for r in conn.execute(select(pipeline_runs)))
    engine.dispose()
    assert saved == 1, "only v4's schedule is saved in shadow mode"
    assert (revisions, replaced) == (1, 0), "v5 never saved over v4's schedule"
    assert runs == [("v4", False), ("v5", True)]


def test_final_validation_report_has_the_plans_four_rows() -> None:
    rows = json.loads(cli_ok("rollout", "report", "--json"))["final_validation"]
    assert [r["metric"] for r in rows] == ["Execution time", "MCP calls", "Success rate", "Quality score"]
    assert all(r["v5_actual"] == "TBD" for r in rows)
    assert "Final validation" in cli_ok("rollout", "report")


def test_simulate_prints_the_timeline_on_a_copy_with_real_pipelines(_cli: Path) -> None:
    cli_ok("rollout", "advance", "--by", "alice")  # the operator's own rollout is under way
    result = cli("simulate", "rollout", "--days", "1", "--creators", "1", "--inject", "failure:0.2")
    assert result.exit_code == 1, result.output  # one day is not the whole plan
    assert "Timeline (faults: failure:0.2 from phase 3)" in result.output
    assert "start: phase - → 0" in result.output
    assert "ended in phase 0" in result.output
    engine = make_engine(f"sqlite:///{_cli}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(shadow_comparisons)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(rollout_transitions)).scalar_one() == 1
    engine.dispose()


def test_simulate_rejects_a_bad_fault() -> None:
    assert cli_error_code("simulate", "rollout", "--fault", "meteor:1") == "INVALID_FAULT"


# --- Phase 4: full cutover -----------------------------------------------------------------------


def test_cutover_is_refused_with_the_checklist_until_forced_then_v4_shows_its_removal_date(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rollout_manager(bootstrap()).start(actor="lead", reason="earlier phases in staging", at_phase=5)
    status = cli_ok("rollout", "status")
    assert "Pre-cutover checklist (plan Phase 4)" in status
    assert "no All creators verified in v5: 37 of 37 active creators without a validated v5 run" in status
    assert "v4 in service (full cutover not recorded)" in status

    assert cli_ok("rollout", "confirm", "briefed", "--by", "alice", "--note", "runbook walk-through") == (
        "confirmed briefed by alice at 2026-01-04T12:00:00Z\n"
    )
    confirmations = json.loads(cli_ok("rollout", "confirmations", "--json"))
    assert [(c["item"], c["actor"], c["at"]) for c in confirmations] == [
        ("briefed", "alice", "2026-01-04T12:00:00Z")
    ]
    assert "ok On-call engineer briefed: confirmed by alice at 2026-01-04T12:00:00Z" in cli_ok(
        "rollout", "status"
    )

    capsys.readouterr()
    assert run(["rollout", "advance", "--by", "lead"]) == EXIT_ERROR
    error = capsys.readouterr().err
    assert "error [ROLLOUT_CRITERIA_UNMET]" in error
    assert "Rollback procedure tested: not confirmed in 7 days" in error
    assert "On-call engineer briefed" not in error
    assert run(["rollout", "confirm", "coffee"]) == EXIT_ERROR

    assert "(forced)" in cli_ok("rollout", "advance", "--force", "--reason", "drill", "--by", "lead")
    removal = "may be removed from 2026-02-03 12:00 UTC (not removable yet)"
    assert removal in cli_ok("status")
    assert json.loads(cli_ok("status", "--json"))["v4"]["removable_at"] == "2026-02-03T12:00:00Z"
    status = cli_ok("rollout", "status")
    assert removal in status and "Post-cutover checks (plan Phase 4)" in status
    assert "… Monitor for 24 hours continuously: 0.0 h of 24 h watched" in status
    assert removal in cli_ok("rollout", "report")
    assert json.loads(cli_ok("rollout", "report", "--json"))["v4"]["removable"] is False

    monkeypatch.setenv("EROS_NOW", "2026-02-03T12:00:00Z")
    assert "may be removed from 2026-02-03 12:00 UTC (removable now)" in cli_ok("status")


def _eros(*args: str) -> subprocess.CompletedProcess[str]:
    """A real `eros` process: its stderr is what an operator sees (pytest captures no logging there)."""
    return subprocess.run(
        [sys.executable, "-c", "from eros.cli.app import main; main()", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
        timeout=300,
    )


def test_a_v4_run_after_cutover_prints_a_one_line_deprecation_note() -> None:
    before = _eros("generate", "alexia", "--pipeline", "v4", "--dry-run")
    assert before.returncode == 0 and "deprecated" not in before.stderr
    rollout_manager(bootstrap()).start(actor="lead", reason="drill", at_phase=6)
    after = _eros("generate", "alexia", "--pipeline", "v4", "--dry-run")
    assert after.returncode == 0, after.stderr
    assert [line for line in after.stderr.splitlines() if "deprecated" in line] == [
        "WARNING eros.legacy: v4 deprecated since cutover 2026-01-04 12:00 UTC; "
        "may be removed from 2026-02-03 12:00 UTC (not removable yet)"
    ]
