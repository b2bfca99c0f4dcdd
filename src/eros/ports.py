"""The ports the services depend on; `eros.bootstrap` decides which adapter fills each one.

`ToolClient` is filled by the MCP clients of `eros.infra`; `UnitOfWork` by `eros.db.unit_of_work`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

if TYPE_CHECKING:  # the repositories' types only; services never import the database layer
    from eros.db.captions_repo import CaptionRepository
    from eros.db.creators import CreatorRepository
    from eros.db.ops_repo import OpsRepository
    from eros.db.rollout_repo import RolloutRepository
    from eros.db.schedules_repo import ScheduleRepository
    from eros.db.signals_repo import SignalRepository
    from eros.db.triggers_repo import TriggerRepository
    from eros.db.users_repo import UserRepository

ToolArgs = dict[str, Any]
ToolResult = dict[str, Any]


class ToolClient(Protocol):
    """A way to call the eros-db tools (ARCHITECTURE D3): in-process, stdio, or wrapped with retries.

    `call_tool` returns the tool's structured result as a dict and raises
    `eros.errors.ToolCallError` (its `code` is the tool's `error_code`) for a tool error,
    or `eros.errors.TransportError` when the server cannot be reached. `calls` counts
    every call made through this client, successful or not.
    """

    calls: int

    async def call_tool(self, name: str, arguments: ToolArgs | None = None) -> ToolResult: ...


class UnitOfWork(Protocol):
    """One transaction and the repositories bound to it; nothing lands without `commit()`."""

    ops: OpsRepository
    rollout: RolloutRepository
    signals: SignalRepository
    schedules: ScheduleRepository
    triggers: TriggerRepository
    creators: CreatorRepository
    captions: CaptionRepository
    users: UserRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...


#: What services are given instead of an engine: each call opens a fresh unit of work.
UnitOfWorkFactory = Callable[[], UnitOfWork]


# --- learning loop ---


class FileCommitter(Protocol):
    """Records one file's new content for review (LEARNINGS.md is reviewed in git like code).

    `commit_file` commits that file alone and returns the commit's id, or None when the file
    had no change; a failure raises an `eros.errors.ErosError`. Filled by `eros.infra.git`.
    """

    def commit_file(self, path: Path, message: str) -> str | None: ...


# --- control plane ---

if TYPE_CHECKING:  # the value the sinks deliver
    from eros.control.alerts import Alert

#: How the control plane waits (drain polls, alert retry back-off); a simulated sleep moves its clock.
Sleep = Callable[[float], Awaitable[None]]


class AlertDeliveryFailed(Exception):
    """A sink could not deliver an alert (the alert manager retries, then records the failure)."""


class AlertSink(Protocol):
    """Delivers one alert, or its resolution when `resolved_at` is set (filled by `eros.infra.alert_sinks`).

    Raises `AlertDeliveryFailed` when the receiver cannot be reached or refuses the alert.
    """

    name: str

    async def send(self, alert: Alert) -> None: ...
