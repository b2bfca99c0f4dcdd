"""What every eros-db tool needs (units of work, clock, signing keys) and the shared input checks.

Tool functions are plain typed functions `fn(env, **arguments) -> pydantic model` that raise
`eros.errors.ErosError` for expected failures; `eros.tools.server` turns those into MCP tool errors.
Each call reads (or writes, then commits) through one unit of work: `with env.uow() as uow: ...`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eros.clock import Clock, iso_z
from eros.db.faults import SQL_INT_MAX, SQL_INT_MIN
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import InvalidInput
from eros.rules.timing import checked_date

#: A fresh unit of work per call; the tools are the database's face, so they get the SQL one in full.
ToolUnitOfWorkFactory = Callable[[], SqlUnitOfWork]
#: The keys a certificate may be signed under at an instant (read afresh: a rotation elsewhere counts).
VerifyingKeys = Callable[[datetime], Sequence[bytes]]


@dataclass(frozen=True)
class ToolEnv:
    """The tools' view of the world (`eros.bootstrap.tool_env` wires the installation's).

    `signing_key` is the installation's current key; `verifying_keys`, when given, is asked at
    every save which keys verify now (the current one and any replaced one in its grace period)."""

    uow: ToolUnitOfWorkFactory
    clock: Clock
    signing_key: bytes
    verifying: VerifyingKeys | None = None

    def verifying_keys(self) -> Sequence[bytes]:
        return (self.signing_key,) if self.verifying is None else self.verifying(self.now())

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()

    def fetched_at(self) -> str:
        return iso_z(self.clock.now())


def strict_date(value: str, field: str = "week_start") -> date:
    """A strict `YYYY-MM-DD` date in EROS's calendar, or INVALID_DATE."""
    return checked_date(value, field)


def check_numbers(arguments: Mapping[str, Any]) -> None:
    """INVALID_NUMBER for any number, at any depth of the arguments, that no column holds: an
    integer past SQLite's 64 bits or a float that is NaN or infinite. Each tool then checks the
    ranges that mean something (limits, multipliers) with `in_range`."""
    stack: list[tuple[str, Any]] = list(arguments.items())
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{where}.{key}", item) for key, item in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, bool):
            continue
        elif (isinstance(value, int) and not SQL_INT_MIN <= value <= SQL_INT_MAX) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            shown = repr(value) if isinstance(value, float) or value.bit_length() < 128 else "(too long)"
            raise InvalidInput(
                f"{where} {shown} is not a number the database stores "
                f"(integers from {SQL_INT_MIN} to {SQL_INT_MAX}, finite decimals)",
                code="INVALID_NUMBER",
                details={"field": where},
            )


def in_range(value: int, low: int, high: int, field: str, code: str = "INVALID_LIMIT") -> int:
    """Reject (never clamp) numbers outside the documented range, so a caller learns of its mistake."""
    if not low <= value <= high:
        raise InvalidInput(f"{field} must be between {low} and {high}, got {value}", code=code)
    return value


def one_of(value: str | None, allowed: tuple[str, ...], field: str, code: str) -> str | None:
    """Case-insensitive membership; None passes through (no filter)."""
    if value is None:
        return None
    normalised = value.strip().lower()
    if normalised not in allowed:
        raise InvalidInput(f"{field} {value!r} is not one of {', '.join(allowed)}", code=code)
    return normalised


def days_between(earlier: str | None, today: date) -> int | None:
    """Whole days from a stored `YYYY-MM-DD…` value to today; None when there is no value."""
    if not earlier:
        return None
    return (today - date.fromisoformat(earlier[:10])).days
