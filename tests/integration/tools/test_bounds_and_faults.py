"""Numbers no column holds, dates outside the calendar, and a broken database: every tool answers
a coded error (INVALID_NUMBER, INVALID_DATE, the database fault's code), never INTERNAL_ERROR."""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from eros.clock import FixedClock, parse_instant
from eros.db.engine import make_engine
from eros.errors import ToolCallError
from eros.infra.mcp_clients import InProcessClient
from eros.tools import ToolEnv
from eros.tools.server import TOOLS
from support import tool_env

NOW = "2026-01-04T12:00:00Z"
#: A valid value for each required parameter, so the hostile one is what the tool judges.
REQUIRED = {
    "creator_id": "alexia",
    "week_start": "2026-01-05",
    "send_type": "ppv_unlock",
    "caption_text": "hello",
    "triggers": [],
    "items": [{"send_type_key": "bump_normal", "scheduled_date": "2026-01-05", "scheduled_time": "12:07"}],
    "content_types": ["solo"],
}


def _parameters(kind: str) -> list[tuple[str, str, dict[str, object]]]:
    """(tool, parameter, the tool's required arguments) for every parameter annotated `kind`."""
    found = []
    for fn in TOOLS:
        parameters = list(inspect.signature(fn, eval_str=True).parameters.values())[1:]
        required = {p.name: REQUIRED[p.name] for p in parameters if p.default is inspect.Parameter.empty}
        found += [(fn.__name__, p.name, required) for p in parameters if kind in str(p.annotation)]
    return found


INTEGERS = _parameters("int")
DECIMALS = _parameters("float")


@pytest.fixture
def client(write_env: ToolEnv) -> InProcessClient:
    return InProcessClient(write_env)


async def _code(client: InProcessClient, tool: str, arguments: dict[str, object]) -> str:
    try:
        await client.call_tool(tool, arguments)
    except ToolCallError as exc:
        return exc.code
    return "ok"


def test_the_fuzzed_parameters_are_the_ones_the_issue_names() -> None:
    assert ("get_schedules", "schedule_id") in {(t, p) for t, p, _ in INTEGERS}
    assert {t for t, _, _ in INTEGERS} >= {"get_active_creators", "get_schedules", "get_captions"}


#: SQLite stores 64-bit integers; EROS's integer columns are 32-bit INTEGER on PostgreSQL, where an
#: id past 2^31 is INVALID_NUMBER (coded, exit 2) rather than "not found" until a BIGINT migration.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("tool", "name", "required"), INTEGERS, ids=[f"{t}.{p}" for t, p, _ in INTEGERS])
async def test_an_integer_past_64_bits_is_invalid_number_and_the_largest_is_not(
    client: InProcessClient, tool: str, name: str, required: dict[str, object]
) -> None:
    for over in (2**63, -(2**63) - 1, 10**30):
        assert await _code(client, tool, {**required, name: over}) == "INVALID_NUMBER"
    for edge in (2**63 - 1, -(2**63)):
        assert await _code(client, tool, {**required, name: edge}) not in ("INVALID_NUMBER", "INTERNAL_ERROR")


@pytest.mark.parametrize(("tool", "name", "required"), DECIMALS, ids=[f"{t}.{p}" for t, p, _ in DECIMALS])
async def test_nan_and_infinity_are_invalid_number(
    client: InProcessClient, tool: str, name: str, required: dict[str, object]
) -> None:
    for value in (float("nan"), float("inf"), float("-inf")):
        assert await _code(client, tool, {**required, name: value}) == "INVALID_NUMBER"


async def test_a_nested_number_is_named_by_its_path(client: InProcessClient) -> None:
    with pytest.raises(ToolCallError) as caught:
        await client.call_tool(
            "save_volume_triggers",
            {"creator_id": "alexia", "triggers": [{}, {"adjustment_multiplier": 2**64}]},
        )
    assert caught.value.code == "INVALID_NUMBER"
    assert caught.value.details["field"] == "triggers[1].adjustment_multiplier"


@pytest.mark.parametrize("week", ["9999-12-27", "3000-01-01", "1969-12-31", "0001-01-01"])
async def test_a_week_outside_the_calendar_is_invalid_date(client: InProcessClient, week: str) -> None:
    assert (
        await _code(client, "get_volume_config", {"creator_id": "alexia", "week_start": week})
        == "INVALID_DATE"
    )
    assert await _code(client, "get_schedules", {"week_start": week}) == "INVALID_DATE"


async def test_the_calendars_last_week_is_answered(client: InProcessClient) -> None:
    assert (
        await _code(client, "get_volume_config", {"creator_id": "alexia", "week_start": "2999-12-31"}) == "ok"
    )


# --- a broken database ---------------------------------------------------------------------------


def _engine(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}", busy_timeout_s=0.05)


def _client(engine: Engine) -> InProcessClient:
    env = tool_env(engine, FixedClock(parse_instant(NOW)), b"k")
    return InProcessClient(env)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # SQLite's file lock
async def test_a_locked_database_is_database_locked_and_retryable(sample_db: Engine) -> None:
    path = Path(str(sample_db.url.database))
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE app_config SET value = value")
    holder.commit()
    try:
        with pytest.raises(ToolCallError) as caught:
            await _client(_engine(path)).call_tool("get_active_creators", {})
    finally:
        holder.close()
    assert caught.value.code == "DATABASE_LOCKED"
    assert caught.value.retryable is True


async def test_a_damaged_database_is_database_corrupt_and_never_retry_later(tmp_path: Path) -> None:
    path = tmp_path / "eros.db"
    path.write_bytes(b"\x01damaged" * 2000)
    with pytest.raises(ToolCallError) as caught:
        await _client(_engine(path)).call_tool("get_active_creators", {})
    assert caught.value.code == "DATABASE_CORRUPT"
    assert caught.value.retryable is False
    assert "retry later" not in caught.value.message


async def test_a_missing_database_is_no_database_and_stays_missing(tmp_path: Path) -> None:
    with pytest.raises(ToolCallError) as caught:
        await _client(_engine(tmp_path / "eros.db")).call_tool("get_schedules", {})
    assert caught.value.code == "NO_DATABASE"
    assert list(tmp_path.iterdir()) == []
