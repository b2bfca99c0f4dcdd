"""`eros reflect` through the CLI: propose, write and commit, status, on/off, deprecate, clear errors."""

from __future__ import annotations

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
from eros.db import ops_repo, signals_repo
from eros.learning.signals import NewSignal
from support import database_env

NOW = "2026-01-04T12:00:00Z"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "ops"
    folder.mkdir()
    return folder


@pytest.fixture
def cli_env(sample_db: Engine, repo: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        **database_env(sample_db),
        "EROS_NOW": NOW,
        "EROS_LEARNINGS_PATH": str(repo / "LEARNINGS.md"),
    }
    for name in ("EROS_DB_URL", "EROS_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with sample_db.begin() as conn:
        signals_repo.SignalRepository(conn).insert(
            [
                NewSignal("user", "correction", "alexia", None, "USER_CORRECTION", {"removed_hours": [2]}),
                NewSignal("validation", "score", "alexia", None, "pricing", {"points": 5, "max_points": 10}),
            ],
            FixedClock(parse_instant(NOW)).now(),
        )
    _register()
    return env


def _run(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _shell(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from eros.cli.app import main; main()", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def test_reflect_proposes_then_writes_and_commits(cli_env: dict[str, str], repo: Path):
    shown = _run("reflect")
    assert "2 pending signal(s)" in shown.output and "ADD HIGH" in shown.output
    assert "### [2026-01-04] No sends at 02:00 for alexia" in shown.output
    assert "Nothing written" in shown.output and not (repo / "LEARNINGS.md").exists()

    written = json.loads(_run("reflect", "--yes", "--json", "--by", "rita").output)
    assert written["written"] and written["commit"] and written["unmapped_signals"] == 1
    assert _git(repo, "log", "-1", "--format=%(trailers:key=Accepted-by,valueonly)").strip() == "rita"
    (proposal,) = written["proposals"]
    assert proposal["confidence"] == "HIGH" and proposal["directive"] == {"avoid_hours": [2]}
    assert "reflect(eros)" in _git(repo, "log", "--oneline", "--grep=reflect", "-5")
    count = subprocess.run(
        ["grep", "-c", r"^### \[", "LEARNINGS.md"], cwd=repo, capture_output=True, text=True, check=True
    )
    assert count.stdout.strip() == "1"

    status = json.loads(_run("reflect", "status", "--json").output)
    assert status["by_confidence"] == {"high": 1, "medium": 0, "low": 0}
    assert status["by_source"]["user"] == 1 and status["last_7_days"]["added"] == 1
    assert status["pending_signals"] == {} and status["auto_reflect"] is False
    text = _run("reflect", "status").output
    assert "by_confidence: { high: 1, medium: 0, low: 0 }" in text and "last_7_days" in text
    assert "No signals found" in _run("reflect", "--yes").output


def test_a_rejected_proposal_is_not_written(cli_env: dict[str, str], repo: Path):
    out = json.loads(_run("reflect", "--yes", "--json", "--reject", "2026-01-04-no-sends").output)
    assert out["proposals"] == [] and out["signals"] == 2 and not out["written"]
    assert not (repo / "LEARNINGS.md").exists()
    assert json.loads(_run("reflect", "status", "--json").output)["pending_signals"] == {}
    typo = _shell("reflect", "--reject", "nonsense")
    assert typo.returncode == 2 and "LEARNING_NOT_FOUND" in typo.stderr


def test_auto_reflection_switch_and_deprecation(cli_env: dict[str, str], repo: Path, sample_db: Engine):
    assert "auto-reflection is off" in _run("reflect", "--if-enabled", "--yes").output
    assert not (repo / "LEARNINGS.md").exists()
    _run("reflect", "on", "--by", "ops", "--reason", "phase 7 day 15")
    assert json.loads(_run("reflect", "status", "--json").output)["auto_reflect"] is True
    _run("reflect", "--if-enabled", "--yes")
    assert (repo / "LEARNINGS.md").exists()
    _run("reflect", "off")
    assert json.loads(_run("reflect", "status", "--json").output)["auto_reflect"] is False
    with sample_db.connect() as conn:
        audit = [
            (r["key"], r["new_value"], r["actor"]) for r in ops_repo.OpsRepository(conn).flag_audit_rows()
        ]
    assert audit[:2] == [("EROS_AUTO_REFLECT", "off", audit[0][2]), ("EROS_AUTO_REFLECT", "on", "ops")]

    out = _run(
        "reflect",
        "deprecate",
        "2026-01-04-no-sends",
        "--reason",
        "caused a 15% rejection increase",
        "--by",
        "olga",
    )
    assert "Deprecated 2026-01-04-no-sends-at-02-00-for-alexia" in out.output
    text = (repo / "LEARNINGS.md").read_text()
    assert "### [2026-01-04] No sends at 02:00 for alexia (Deprecated: 2026-01-04)" in text
    assert "**Reason**: caused a 15% rejection increase" in text
    assert "deprecate" in _git(repo, "log", "-1", "--format=%s")
    assert _git(repo, "log", "-1", "--format=%(trailers:key=Deprecated-by,valueonly)").strip() == "olga"


def test_errors_exit_2_with_their_code(cli_env: dict[str, str], repo: Path):
    missing = _shell("reflect", "deprecate", "nope", "--reason", "x")
    assert missing.returncode == 2 and "LEARNING_NOT_FOUND" in missing.stderr
    (repo / "LEARNINGS.md").write_text("## HIGH Confidence\n### [2026-01-01] x\n**Pattern**: p\n")
    broken = _shell("reflect")
    assert broken.returncode == 2 and "LEARNINGS_INVALID" in broken.stderr and "line 2" in broken.stderr
    assert (repo / "LEARNINGS.md").read_text().startswith("## HIGH")  # untouched


LINT_ENTRY = (
    "### [2026-01-02] {title}\n**Pattern**: p\n**Issue**: i\n**Correction**: c\n"
    "**Source**: user | **Violation Code**: X\n**Applies To**: all\n**Directive**: {directive}\n"
)


def test_lint_reports_every_problem_with_its_line_and_exits_by_the_verdict(
    cli_env: dict[str, str], repo: Path
):
    path = repo / "LEARNINGS.md"
    good = "## HIGH Confidence\n" + LINT_ENTRY.format(title="Fine", directive='{"avoid_hours": [3]}')
    path.write_text(good)
    clean = _shell("reflect", "lint")
    assert clean.returncode == 0 and "1 valid learning(s); ok" in clean.stdout

    path.write_text(
        good
        + LINT_ENTRY.format(title="Bad hour", directive='{"avoid_hours": [31]}')
        + "<<<<<<< HEAD\n"
        + LINT_ENTRY.format(title="Ours", directive='{"avoid_hours": [4]}')
        + "=======\n>>>>>>> theirs\n## Someday\n"
    )
    lines = path.read_text().splitlines()
    shown = _shell("reflect", "lint")
    assert shown.returncode == 1 and "Traceback" not in shown.stderr
    bad_line = lines.index('**Directive**: {"avoid_hours": [31]}') + 1
    assert f"{path}:{bad_line}: learning 'Bad hour': avoid_hours must list hours 0–23" in shown.stdout
    assert f"{path}:{lines.index('<<<<<<< HEAD') + 1}: unresolved git merge conflict" in shown.stdout
    assert f"{path}:{len(lines)}: section '## Someday'" in shown.stdout
    assert "1 valid learning(s); 4 problem(s), 2 learning(s) skipped for generation" in shown.stdout

    report = _shell("reflect", "lint", "--json")
    assert report.returncode == 1
    document = json.loads(report.stdout)
    assert document["ok"] is False and document["learnings"] == 1
    assert [p["line"] for p in document["problems"]] == [bad_line, bad_line + 1, bad_line + 2, len(lines)]
    assert [s["heading"] for s in document["skipped"]] == [
        "### [2026-01-02] Bad hour",
        "### [2026-01-02] Ours",
    ]


def test_lint_of_a_file_that_cannot_be_read_is_a_coded_error(cli_env: dict[str, str], repo: Path):
    missing = _shell("reflect", "lint")
    assert missing.returncode == 2 and "LEARNINGS_NOT_FOUND" in missing.stderr
    (repo / "folder.md").mkdir()
    unreadable = _shell("reflect", "lint", str(repo / "folder.md"))
    assert unreadable.returncode == 2 and "LEARNINGS_UNREADABLE" in unreadable.stderr
    assert "Traceback" not in missing.stderr + unreadable.stderr
