"""`eros db init|upgrade|summary`, `eros analyze`, `eros import`, `eros demo` through the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from eros.bootstrap import bootstrap
from eros.cli.app import _register
from eros.db.engine import make_engine
from eros.db.sample import ensure_sample_database
from eros.db.schema import content_types, creators, mass_messages, schedules
from eros.errors import ErosError
from support import cli, cli_error_code, cli_ok, subprocess_env, use_database

NOW = "2026-01-04T12:00:00Z"


@pytest.fixture(autouse=True)
def _cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EROS_NOW", NOW)
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    monkeypatch.delenv("EROS_SIGNING_KEY", raising=False)
    _register()


def _use(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("EROS_DB_PATH", str(path))


def _creator_count(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(creators)).scalar_one())
    engine.dispose()
    return count


def test_init_sample_refuses_to_overwrite_and_force_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "eros.db"
    _use(monkeypatch, path)
    out = cli_ok("db", "init", "--sample", "--seed", "7", "--as-of", "2026-01-04")
    assert "Active creators: 37" in out
    assert "mass_messages" in out
    assert _creator_count(path) == 37

    assert cli_error_code("db", "init") == "DB_EXISTS"
    assert _creator_count(path) == 37

    cli_ok("db", "init", "--force")
    assert _creator_count(path) == 0
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(content_types)).scalar_one() == 35
    engine.dispose()


def test_init_rejects_a_bad_as_of_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, tmp_path / "eros.db")
    assert cli_error_code("db", "init", "--sample", "--as-of", "2026-02-30") == "INVALID_DATE"
    assert not (tmp_path / "eros.db").exists() or _creator_count(tmp_path / "eros.db") == 0


def test_the_console_script_exits_2_with_the_code(sample_db: Engine) -> None:
    env = subprocess_env(sample_db, EROS_NOW=NOW)
    done = subprocess.run(
        [sys.executable, "-c", "from eros.cli.app import main; main()", "db", "init"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "DB_EXISTS" in done.stderr


def test_summary_upgrade_and_analyze_on_the_sample(
    sample_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_database(monkeypatch, sample_db)
    summary = cli_ok("db", "summary")
    assert "Active creators: 37" in summary
    assert "PREMIUM" in summary
    assert "content_type_rankings" in summary
    assert "up to date" in cli_ok("db", "upgrade")
    analysed = cli_ok("analyze", "alexia")
    assert "alexia" in analysed
    assert "STANDARD" in analysed
    assert "Analysed 37 creator(s)" in cli_ok("analyze", "--all")
    assert cli_error_code("analyze") == "VALIDATION_ERROR"
    assert cli_error_code("analyze", "nobody") == "CREATOR_NOT_FOUND"


def test_summary_without_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, tmp_path / "missing.db")
    assert cli_error_code("db", "summary") == "NO_DATABASE"
    assert cli_error_code("db", "upgrade") == "NO_DATABASE"
    assert cli_error_code("analyze", "--all") == "NO_DATABASE"


def test_import_a_directory_and_a_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "eros.db"
    _use(monkeypatch, path)
    cli_ok("db", "init")
    agency = tmp_path / "agency"
    agency.mkdir()
    (agency / "creators.csv").write_text(
        "Creator,Active fans,Message Net\nKim Lee,1200,900\n", encoding="utf-8"
    )
    (agency / "mass_messages.csv").write_text(
        "creator,sent_at,content_type,sent_count,viewed_count,purchased_count,earnings\n"
        "kim_lee,2026-01-02 20:15,,1000,400,20,319.80\n",
        encoding="utf-8",
    )
    out = cli_ok("import", str(agency))
    assert "creators.csv" in out
    assert "kim_lee" in out  # analysed after the history arrived

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "creator,sent_at,sent_count,earnings\n"
        "kim_lee,2026-01-03 20:00,10,5\n"
        "kim_lee,2026-01-03 21:00,ten,5\n",
        encoding="utf-8",
    )
    result = cli("import", "history", str(bad))
    assert isinstance(result.exception, ErosError)
    assert result.exception.code == "VALIDATION_ERROR"
    assert "row 3" in result.exception.message
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(mass_messages)).scalar_one() == 1
    engine.dispose()
    assert cli_error_code("import", "history") == "VALIDATION_ERROR"


def test_demo_builds_the_sample_once_and_generates_every_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's main job: sample (built once), summary, then next week for all 37 creators."""
    path = tmp_path / "demo.db"
    _use(monkeypatch, path)
    first = cli_ok("demo", "--jobs", "1")
    assert "Built the sample agency as of 2026-01-04" in first
    assert "Active creators: 37" in first
    assert "Week of 2026-01-05" in first
    assert "37/37 succeeded" in first
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        saved = conn.execute(
            select(func.count()).select_from(schedules).where(schedules.c.status == "approved")
        ).scalar_one()
    engine.dispose()
    assert saved == 37
    container = bootstrap()
    assert not ensure_sample_database(container.engine, container.clock)
    assert _creator_count(path) == 37
