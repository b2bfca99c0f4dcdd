"""Phase 4 through the CLI: the refused advance (exit 2, what fails), `eros rollout confirm`, and the
v4 removal date in `eros status`, `eros rollout status` and `eros rollout report`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eros.bootstrap import bootstrap, rollout_manager
from eros.cli.app import EXIT_ERROR, _register, run
from support import clear_flag_variables, cli_ok

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


def test_cutover_is_refused_with_the_checklist_until_forced_then_v4_shows_its_removal_date(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rollout_manager(bootstrap()).start(actor="lead", reason="earlier phases in staging", at_phase=5)
    status = cli_ok("rollout", "status")
    assert "Pre-cutover checklist (plan Phase 4)" in status
    assert "no All creators verified in v5: 37 of 37 active creators without a validated v5 run" in status
    assert "v4 v4 is in service (full cutover not recorded)" in status

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
