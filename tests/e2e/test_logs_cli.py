"""The CLI's log options (issue 12 item 2) and its unknown-creator answers (item 9), run as
`eros.cli.app.run([...])`: stderr shows warnings, `-v` INFO; `--log-file` writes named lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from eros.cli.app import EXIT_ERROR, run
from eros.db.schema import pipeline_runs
from support import clear_flag_variables

NOW = "2026-01-04T12:00:00Z"
ROUTE_INFO = "INFO eros.router: route creator=alexia pipeline=v4"
UNKNOWN = "EROS_V5_CREATORS names unknown creators (they route nowhere): ghost, nobody"


@pytest.fixture(autouse=True)
def cli_env(sample_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    clear_flag_variables(monkeypatch)
    for key, value in {
        "EROS_DB_PATH": str(sample_db.url.database),
        "EROS_NOW": NOW,
        "EROS_MCP_TRANSPORT": "inprocess",
        "EROS_V5_CREATORS": "alexia,ghost,nobody",
    }.items():
        monkeypatch.setenv(key, value)


def test_without_v_stderr_shows_warnings_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["route", "alexia"]) == 0
    captured = capsys.readouterr()
    assert f"WARNING eros.router: {UNKNOWN}" in captured.err and ROUTE_INFO not in captured.err
    assert f"note: {UNKNOWN}" in captured.out.replace("\n", "")


def test_v_shows_info(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-v", "route", "alexia"]) == 0
    assert ROUTE_INFO in capsys.readouterr().err
    assert run(["route", "alexia"]) == 0
    assert ROUTE_INFO not in capsys.readouterr().err  # one invocation's -v does not stick


def test_the_log_file_carries_named_lines_the_runbooks_grep_finds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "var" / "app.log"
    assert run(["--log-file", str(log), "route", "alexia"]) == 0
    assert ROUTE_INFO not in capsys.readouterr().err  # the file records INFO, stderr does not
    lines = [line for line in log.read_text().splitlines() if re.search(r"eros\.", line)]
    assert any(ROUTE_INFO in line for line in lines)
    assert any(f"WARNING eros.router: {UNKNOWN}" in line for line in lines)
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", line) for line in lines)


def test_json_lines_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "app.jsonl"
    monkeypatch.setenv("EROS_LOG_FILE", str(log))
    monkeypatch.setenv("EROS_LOG_FORMAT", "json")
    assert run(["route", "alexia"]) == 0
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    route = next(e for e in entries if e["message"].startswith("route creator=alexia"))
    assert (route["logger"], route["level"]) == ("eros.router", "INFO") and route["time"]


def test_an_unwritable_log_file_is_a_coded_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--log-file", str(tmp_path), "route", "alexia"]) == EXIT_ERROR
    assert capsys.readouterr().err.startswith("error [LOG_FILE_UNWRITABLE] cannot write the log file")
    assert run(["--log-format", "xml", "route", "alexia"]) == EXIT_ERROR
    assert capsys.readouterr().err.startswith("error [INVALID_CONFIG] log format 'xml'")


def test_generate_for_an_unknown_creator_exits_2_like_route(
    sample_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["generate", "nobody"], ["route", "nobody"]):
        assert run(argv) == EXIT_ERROR
        captured = capsys.readouterr()
        assert captured.err.startswith("error [CREATOR_NOT_FOUND] Creator 'nobody' not found")
        assert "Run" not in captured.out  # no run table
    with sample_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(pipeline_runs)).scalar() == 0


def test_status_names_the_unknown_allowlisted_creators(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unknown_allowlisted"] == ["ghost", "nobody"]
    assert run(["status"]) == 0
    assert f"note: {UNKNOWN}" in capsys.readouterr().out.replace("\n", "")
