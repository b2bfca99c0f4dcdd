"""Every command group on a missing, a read-only and a damaged database: one coded line, no file.

The groups come from the Typer app (`attacks/faults.py:invocations`), so a new one is covered
without editing this file; each runs in this process through the real error handler
(`eros.cli.app.run`). A few real subprocesses prove the exit codes and stderr end to end.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.main import get_command

from eros.cli.app import EXIT_ERROR, EXIT_INTERNAL, EXIT_RETRY, _register, app, run
from support import load_attack

ROOT = Path(__file__).resolve().parents[2]


attack = load_attack("faults")
FAULTS = {fault.name: fault for fault in attack.FAULTS}
CASES = [
    pytest.param(argv, FAULTS[name], id=f"{' '.join(argv[:2])}-{name}")
    for argv in attack.invocations()
    for name in attack.E2E_FAULTS
    if not (FAULTS[name].code == "NO_DATABASE" and tuple(argv) in attack.CREATING)
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return attack.healthy_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("csv") / "creators.csv"
    path.write_text("creator_id,page_name\nc1,someone\n", encoding="utf-8")
    return path


def test_every_top_level_command_and_group_is_attacked() -> None:
    _register()
    names = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert names == {argv[0] for argv in attack.invocations()}
    assert len(names) >= 24


@pytest.mark.parametrize(("argv", "fault"), CASES)
def test_a_command_on_a_broken_database_prints_one_coded_line_and_creates_nothing(
    argv: list[str], fault: object, template: Path, csv: Path
) -> None:
    outcome = attack.run_command(argv, fault, template, csv)
    assert attack.command_failures(outcome, fault) == []


@pytest.mark.parametrize("name", ["unreadable", "locked", "truncated", "damaged schema page", "no schema"])
def test_the_other_faults_have_their_codes(name: str, template: Path, csv: Path) -> None:
    fault = FAULTS[name]
    for argv in (["status"], ["generate", "alexia", "--dry-run"], ["schedules", "list"]):
        outcome = attack.run_command(argv, fault, template, csv)
        assert attack.command_failures(outcome, fault) == []


def test_damage_is_never_retry_later_and_a_lock_is(template: Path, csv: Path) -> None:
    corrupt = attack.run_command(["status"], FAULTS["damaged schema page"], template, csv)
    locked = attack.run_command(["status"], FAULTS["locked"], template, csv)
    assert "retry" not in corrupt.stderr.split("Retrying will not help")[0].lower()
    assert "eros db init --force" in corrupt.stderr
    assert (corrupt.exit_code, locked.exit_code) == (EXIT_ERROR, EXIT_RETRY)
    assert "retry when it has finished" in locked.stderr


def test_db_init_force_replaces_a_damaged_file_and_refuses_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "eros.db"
    path.write_bytes(b"not a database at all" * 300)
    monkeypatch.setenv("EROS_DB_PATH", str(path))
    monkeypatch.setenv("EROS_NOW", attack.NOW)
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    assert run(["db", "init"]) == EXIT_ERROR
    assert "[DATABASE_CORRUPT]" in capsys.readouterr().err
    assert run(["db", "init", "--force"]) == 0
    assert run(["db", "summary"]) == 0


# --- --debug and errors nobody expected --------------------------------------------------------


@pytest.fixture
def missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("EROS_DB_PATH", str(tmp_path / "eros.db"))
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    yield tmp_path
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback_and_without_it_never(
    missing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["status"]) == EXIT_ERROR
    quiet = capsys.readouterr().err
    assert "Traceback" not in quiet
    assert quiet.startswith("error [NO_DATABASE] ")
    assert run(["--debug", "status"]) == EXIT_ERROR
    loud = capsys.readouterr().err
    assert "Traceback (most recent call last)" in loud
    assert loud.strip().splitlines()[-1].startswith("error [NO_DATABASE] ")


def test_an_unexpected_exception_is_internal_error_exit_70(
    missing: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _register()

    def broken() -> None:
        raise KeyError("surprise")

    monkeypatch.setattr("eros.cli.ops_commands.configured", broken)
    assert run(["status"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("error [INTERNAL_ERROR] Unexpected KeyError: 'surprise'.")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_usage_errors_are_coded_lines(missing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["generate", "alexia", "--wek", "2026-01-05"]) == EXIT_ERROR
    assert capsys.readouterr().err.startswith("error [USAGE_ERROR] No such option: --wek")
    assert run(["generate", "--all", "--jobs", "65"]) == EXIT_ERROR
    assert capsys.readouterr().err.startswith("error [INVALID_ARGUMENT] Invalid value for '--jobs'")


# --- real processes ---------------------------------------------------------------------------


def _eros(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "EROS_DB_PATH": str(tmp_path / "eros.db"), "EROS_NOW": attack.NOW, **env}
    environ.pop("EROS_DB_URL", None)
    return subprocess.run(
        [sys.executable, "-c", "from eros.cli.app import main; main()", *args],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_console_script_on_a_missing_database(tmp_path: Path) -> None:
    done = _eros(tmp_path, "status")
    assert done.returncode == EXIT_ERROR
    assert done.stderr.startswith("error [NO_DATABASE] No EROS database at ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_the_console_script_on_a_locked_and_a_damaged_database(template: Path, tmp_path: Path) -> None:
    path = tmp_path / "eros.db"
    path.write_bytes(template.read_bytes())
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE app_config SET value = value")
    holder.commit()
    try:
        locked = _eros(tmp_path, "flags", "show", EROS_DB_BUSY_TIMEOUT_S="0.1")
    finally:
        holder.close()
    assert locked.returncode == EXIT_RETRY
    assert locked.stderr.startswith("error [DATABASE_LOCKED] ")
    path.write_bytes(b"\x00garbage" * 1000)
    damaged = _eros(tmp_path, "flags", "show")
    assert damaged.returncode == EXIT_ERROR
    assert damaged.stderr.startswith("error [DATABASE_CORRUPT] ")
    assert "Traceback" not in locked.stderr + damaged.stderr


def test_python_m_eros_tools_on_a_missing_database(tmp_path: Path) -> None:
    environ = {**os.environ, "EROS_DB_PATH": str(tmp_path / "eros.db")}
    environ.pop("EROS_DB_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "eros.tools"],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert (done.returncode, done.stdout) == (EXIT_ERROR, "")
    assert done.stderr.startswith("error [NO_DATABASE] ")
    assert list(tmp_path.iterdir()) == []


def test_the_attack_script_finds_nothing() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "attacks" / "faults.py")],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    table = dict(line.rsplit(None, 1) for line in done.stdout.splitlines()[1:] if line[-1:].isdigit())
    for failures in ("  tracebacks", "  files created or changed by accident", "  INTERNAL_ERROR answers"):
        assert table[failures] == "0"
    assert int(table["command runs on a broken database"]) > 200
