"""What every eros-db tool needs (database, clock, signing key) and the shared input checks.

Tool functions are plain typed functions `fn(env, **arguments) -> pydantic model` that raise
`eros.errors.ErosError` for expected failures; `eros.tools.server` turns those into MCP tool errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from eros.clock import Clock, iso_z
from eros.errors import InvalidDate, InvalidInput
from eros.rules.timing import parse_date

if TYPE_CHECKING:
    from eros.bootstrap import Container


@dataclass(frozen=True)
class ToolEnv:
    """The tools' view of the world: one engine, the one clock, the installation's signing key."""

    engine: Engine
    clock: Clock
    signing_key: bytes

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()

    def fetched_at(self) -> str:
        return iso_z(self.clock.now())

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @classmethod
    def of(cls, container: Container) -> ToolEnv:
        """The tools' env of a wired installation (bootstrap's engine, clock and signing key)."""
        return cls(engine=container.engine, clock=container.clock, signing_key=container.signing_key)


def strict_date(value: str, field: str = "week_start") -> date:
    """A strict `YYYY-MM-DD` date or INVALID_DATE."""
    try:
        return parse_date(str(value).strip())
    except ValueError:
        raise InvalidDate(
            f"{field} {value!r} is not a real YYYY-MM-DD date", details={"field": field}
        ) from None


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
