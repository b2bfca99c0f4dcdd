"""The runbook's `eros.preflight`: `PreflightEngine`, `MockMCP` and `python -m eros.preflight`.

An entry point: the preflight service itself is `eros.services.preflight`; this module adds
the configured clock to `PreflightEngine(mcp)`, the operator's in-memory `MockMCP()` and the
command line, all wired by `bootstrap`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from eros.bootstrap import bootstrap, connect_client, tool_env
from eros.clock import Clock, FixedClock
from eros.config import Settings
from eros.db.engine import create_schema, memory_engine
from eros.db.sample import DEFAULT_AS_OF, build_mini_sample, sample_now
from eros.errors import ErosError
from eros.infra.mcp_clients import InProcessClient
from eros.models import CreatorContext
from eros.ports import ToolClient
from eros.rules.calendar import next_monday
from eros.services import preflight
from eros.services.preflight import client_session, parse_week_start
from eros.tools.env import ToolEnv

__all__ = ["CreatorContext", "MockMCP", "PreflightEngine", "main", "parse_week_start"]


class PreflightEngine(preflight.PreflightEngine):
    """`PreflightEngine(mcp)`: preflight over `mcp`, timed by the configured clock unless given one."""

    def __init__(
        self, mcp: ToolClient, *, learnings_path: Path | str | None = None, clock: Clock | None = None
    ) -> None:
        super().__init__(mcp, clock=clock or bootstrap().clock, learnings_path=learnings_path)


# --- MockMCP: the same tools over a tiny in-memory sample ---------------------------------

MOCK_SIGNING_KEY = b"mock-mcp-signing-key-not-secret"


def mock_tool_env() -> ToolEnv:
    """The tools' environment over a fresh in-memory SQLite holding `build_mini_sample`.

    The clock is pinned to the moment the sample is taken, so its 90 days of history count.
    """
    clock = FixedClock(sample_now(DEFAULT_AS_OF))
    settings = Settings(db_url="sqlite://", signing_key=MOCK_SIGNING_KEY.decode())
    container = bootstrap(settings, clock, memory_engine())
    create_schema(container.engine)
    build_mini_sample(container.engine)
    return tool_env(container)


class MockMCP(InProcessClient):
    """An in-memory eros-db (the runbook's `MockMCP()`): the real tools over `build_mini_sample`.

    Not a hand-written fake — every call runs the same tool code as production, against a tiny
    SQLite database that lives as long as this object and includes a creator called `test`.
    """

    def __init__(self) -> None:
        super().__init__(mock_tool_env())


# --- python -m eros.preflight ----------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m eros.preflight --creator alexia --week 2026-01-06`: print the context as JSON."""
    parser = argparse.ArgumentParser(prog="python -m eros.preflight", description=main.__doc__)
    parser.add_argument("--creator", required=True, help="creator id or page name")
    parser.add_argument("--week", help="week start YYYY-MM-DD (default: next Monday)")
    args = parser.parse_args(argv)

    container = bootstrap()
    week = args.week or next_monday(container.clock.now().date()).isoformat()
    client = connect_client(container)
    engine = PreflightEngine(client, learnings_path=container.settings.learnings_path, clock=container.clock)

    async def run() -> CreatorContext:
        async with client_session(client):
            return await engine.execute(args.creator, week)

    try:
        context = asyncio.run(run())
    except ErosError as exc:
        print(json.dumps(exc.as_dict()), file=sys.stderr)
        return 2
    print(json.dumps(context.model_dump(mode="json"), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
