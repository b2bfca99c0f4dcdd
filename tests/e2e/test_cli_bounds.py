"""Out-of-range dates and numbers on the command line are coded errors, each pinned at its limit."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from eros.cli.app import EXIT_ERROR, run
from eros.db.faults import SQL_INT_MAX
from support import use_database

NOW = "2026-01-04T12:00:00Z"


@pytest.fixture(autouse=True)
def _sample(sample_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    use_database(monkeypatch, sample_db)
    monkeypatch.setenv("EROS_NOW", NOW)


def _error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """`eros ARGV…`, which must exit 2 with one coded line and no traceback; the line."""
    assert run(list(argv)) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[0]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["generate", "alexia", "--week", "9999-12-27"],
            "error [INVALID_DATE] --week '9999-12-27' is outside",
        ),
        (
            ["generate", "alexia", "--week", "2026-02-30"],
            "error [INVALID_DATE] --week '2026-02-30' is not a real",
        ),
        (["show", "alexia", "--week", "3000-01-05"], "error [INVALID_DATE] --week '3000-01-05' is outside"),
        (["run", "alexia", "--week", "1969-12-29"], "error [INVALID_DATE] --week '1969-12-29' is outside"),
        (
            ["shadow", "report", "--date", "2026-99-01"],
            "error [INVALID_DATE] --date '2026-99-01' is not a real",
        ),
        (
            ["db", "init", "--force", "--as-of", "0001-01-01"],
            "error [INVALID_DATE] --as-of '0001-01-01' is outside",
        ),
    ],
)
def test_a_date_outside_the_calendar_or_unreal_is_invalid_date(
    capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    assert _error(capsys, *argv).startswith(line)


def test_the_calendars_last_day_is_a_week_eros_plans(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["generate", "alexia", "--week", "2999-12-31", "--dry-run"]) in (0, 1)
    assert "INTERNAL_ERROR" not in capsys.readouterr().err


#: SQLite stores 64-bit integers; EROS's integer columns are 32-bit INTEGER on PostgreSQL, where an
#: id past 2^31 is INVALID_NUMBER (coded, exit 2) rather than "not found" until a BIGINT migration.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_id_past_64_bits_is_invalid_number(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["schedules", "show", str(SQL_INT_MAX + 1)], ["validate", str(SQL_INT_MAX + 1)]):
        assert _error(capsys, *argv).startswith("error [INVALID_NUMBER] ")
    assert _error(capsys, "schedules", "show", str(SQL_INT_MAX)).startswith("error [SCHEDULE_NOT_FOUND] ")


@pytest.mark.parametrize(
    ("option", "limit", "over"),
    [
        (["rollback", "history", "--limit"], str(SQL_INT_MAX), str(SQL_INT_MAX + 1)),
        (["alerts", "list", "--limit"], str(SQL_INT_MAX), str(SQL_INT_MAX + 1)),
        (["watch", "--iterations", "1", "--interval"], "86400", "86400.5"),
        (["rollout", "abort", "--reason", "r", "--to"], "6", "7"),
    ],
)
def test_a_number_option_is_accepted_at_its_limit_and_refused_one_past_it(
    capsys: pytest.CaptureFixture[str], option: list[str], limit: str, over: str
) -> None:
    assert _error(capsys, *option, over).startswith(
        f"error [INVALID_ARGUMENT] Invalid value for '{option[-1]}'"
    )
    code = run([*option, limit])
    err = capsys.readouterr().err
    assert "INVALID_ARGUMENT" not in err and "INTERNAL_ERROR" not in err
    assert code in (0, EXIT_ERROR)  # rollout abort at phase 6 is refused: the rollout has not started


def test_jobs_is_refused_past_64(capsys: pytest.CaptureFixture[str]) -> None:
    assert _error(capsys, "generate", "--all", "--jobs", "65").startswith(
        "error [INVALID_ARGUMENT] Invalid value for '--jobs'"
    )
