"""The limits on what comes in, each pinned at its boundary: the calendar, the numbers a column
holds, and a stdio request's size and depth (a limit passes, one more is refused)."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import anyio
import pytest
from mcp.shared.message import SessionMessage

from eros.clock import clock_from_env
from eros.errors import ConfigError, InvalidDate, InvalidInput
from eros.rules.timing import EARLIEST_DATE, LATEST_DATE, DateOutOfRange, checked_date, parse_date
from eros.tools.env import check_numbers
from eros.tools.stdio import MAX_JSON_DEPTH, MAX_REQUEST_BYTES, BoundedLines, RequestLimits, json_depth


def test_the_calendar_runs_from_1970_to_2999_inclusive() -> None:
    assert parse_date("1970-01-01") == EARLIEST_DATE == date(1970, 1, 1)
    assert parse_date("2999-12-31") == LATEST_DATE == date(2999, 12, 31)
    for outside in ("1969-12-31", "3000-01-01", "9999-12-27"):
        with pytest.raises(DateOutOfRange):
            parse_date(outside)


def test_checked_date_names_the_field_and_says_which_mistake() -> None:
    with pytest.raises(InvalidDate) as outside:
        checked_date("9999-12-27", "--week")
    with pytest.raises(InvalidDate) as unreal:
        checked_date("2026-99-01", "--date")
    assert outside.value.message == (
        "--week '9999-12-27' is outside the dates EROS plans for (1970-01-01 to 2999-12-31)"
    )
    assert unreal.value.message == "--date '2026-99-01' is not a real YYYY-MM-DD date"
    assert unreal.value.code == "INVALID_DATE"


@pytest.mark.parametrize("pinned", ["yesterday", "2026-13-01", "3000-01-01T00:00:00Z"])
def test_a_bad_eros_now_is_invalid_config(pinned: str) -> None:
    with pytest.raises(ConfigError) as caught:
        clock_from_env({"EROS_NOW": pinned})
    assert caught.value.code == "INVALID_CONFIG"


def test_check_numbers_refuses_what_sqlite_cannot_store_at_any_depth() -> None:
    check_numbers({"a": 2**63 - 1, "b": -(2**63), "c": [1.5, {"d": True}], "e": "9" * 40})
    for arguments, field in (
        ({"limit": 2**63}, "limit"),
        ({"offset": -(2**63) - 1}, "offset"),
        ({"items": [{}, {"price": float("nan")}]}, "items[1].price"),
        ({"x": {"y": float("-inf")}}, "x.y"),
        ({"huge": 10**5000}, "huge"),
    ):
        with pytest.raises(InvalidInput) as caught:
            check_numbers(arguments)
        assert (caught.value.code, caught.value.details["field"]) == ("INVALID_NUMBER", field)


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def test_json_depth_counts_arrays_and_objects() -> None:
    assert json_depth(5, 64) == 0
    assert json_depth({}, 64) == 1
    assert json_depth({"a": [{"b": []}]}, 64) == 4
    assert json_depth(_nested(64), 64) == 64
    assert json_depth(_nested(10_000), 64) == 65  # stops counting past the limit


def _request(request_id: int, payload: Any) -> bytes:
    return json.dumps(
        {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": payload}
    ).encode()


def _sized(request_id: int, size: int) -> bytes:
    bare = _request(request_id, {"pad": ""})
    return bare.replace(b'"pad": ""', b'"pad": "' + b"a" * (size - len(bare)) + b'"')


async def _read(lines: bytes) -> tuple[list[str], list[Any]]:
    """What the server would see, and what was answered in its place, for a stdin of `lines`."""
    send, receive = anyio.create_memory_object_stream[SessionMessage](100)
    reader = BoundedLines(io.BytesIO(lines), RequestLimits(), send)
    accepted = [line async for line in reader]
    answers = [message.message.model_dump(by_alias=True) async for message in receive]
    return accepted, answers


def _codes(answers: list[Any]) -> list[tuple[object, str]]:
    return [(a["id"], a["error"]["data"]["error_code"]) for a in answers]


async def test_a_request_at_the_size_limit_passes_and_one_byte_more_is_refused_unread() -> None:
    at_limit, over = _sized(1, MAX_REQUEST_BYTES), _sized(2, MAX_REQUEST_BYTES + 1)
    huge = _sized(3, 3 * MAX_REQUEST_BYTES)
    assert (len(at_limit), len(over)) == (MAX_REQUEST_BYTES, MAX_REQUEST_BYTES + 1)
    accepted, answers = await _read(b"\n".join([at_limit, over, huge, _request(4, {})]) + b"\n")
    assert [json.loads(line)["id"] for line in accepted] == [1, 4]
    assert _codes(answers) == [(2, "REQUEST_TOO_LARGE"), (3, "REQUEST_TOO_LARGE")]


async def test_a_request_at_the_depth_limit_passes_and_one_level_more_is_refused() -> None:
    envelope = 2  # the request object and its params
    at_limit = _request(1, {"v": _nested(MAX_JSON_DEPTH - envelope)})
    over = _request(2, {"v": _nested(MAX_JSON_DEPTH - envelope + 1)})
    assert json_depth(json.loads(at_limit), 1000) == MAX_JSON_DEPTH
    assert json_depth(json.loads(over), 1000) == MAX_JSON_DEPTH + 1
    deep_200 = _request(3, {"v": _nested(200)})
    far_too_deep = b'{"jsonrpc":"2.0","id":4,"params":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    accepted, answers = await _read(b"\n".join([at_limit, over, deep_200, far_too_deep]) + b"\n")
    assert [json.loads(line)["id"] for line in accepted] == [1]
    assert _codes(answers) == [(i, "REQUEST_TOO_DEEP") for i in (2, 3, 4)]


async def test_a_line_that_is_not_json_gets_the_parse_error_and_blank_lines_nothing() -> None:
    accepted, answers = await _read(b"\n  \n{not json\n")
    assert accepted == []
    assert _codes(answers) == [(None, "INVALID_JSON")]
    assert answers[0]["error"]["code"] == -32700
