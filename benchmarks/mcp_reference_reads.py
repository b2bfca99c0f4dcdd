"""What the weekly fan-out's reference-data reads cost per creator-week: is an MCP cache worth it?

Runbook §3.2 ("clear MCP cache") and §8 ("cache stats") presume a cache of tool reads. The
candidates are the reference tables every creator's run shares — `send_types` and the content
dictionary `content_types` — since per-creator reads (vault, rankings, captions) are read once
per creator-week and must never be served stale. This script runs v5 and v4 over all 37 sample
creators (seed 7, week 2026-01-05, in-process client) and counts, through SQLAlchemy's cursor
events, every SQL statement the tools issue: how many touch each reference table, and how long
they take, against the whole run. It also times a standalone full read of each reference table
(the most a cache of that table could save per read). Not a test: it only prints numbers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, event, text

from eros.clock import FixedClock
from eros.db.engine import create_schema, make_engine
from eros.db.sample import DEFAULT_AS_OF, DEFAULT_SEED, build_sample, sample_now
from eros.db.unit_of_work import SqlUnitOfWork
from eros.infra.mcp_clients import InProcessClient
from eros.legacy.pipeline import LegacyPipeline
from eros.orchestrator import EROSOrchestrator
from eros.ports import ToolArgs, ToolResult
from eros.rules.calendar import next_monday
from eros.tools import ToolEnv

SIGNING_KEY = b"benchmark-signing-key-not-secret"
REFERENCE_TABLES = ("send_types", "content_types")
STANDALONE_READS = 2000
_TABLE_PATTERNS = {table: re.compile(rf"\b{table}\b") for table in REFERENCE_TABLES}


@dataclass
class SqlTally:
    """Statements seen on the engine: all of them, and those touching each reference table."""

    statements: int = 0
    seconds: float = 0.0
    by_table: Counter[str] = field(default_factory=Counter)
    table_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def watch(self, engine: Engine) -> None:
        started: list[float] = []

        def before(*_: Any) -> None:
            started.append(time.perf_counter())

        def after(_conn: Any, _cursor: Any, statement: str, *rest: Any) -> None:
            elapsed = time.perf_counter() - started.pop()
            self.statements += 1
            self.seconds += elapsed
            for table, pattern in _TABLE_PATTERNS.items():
                if pattern.search(statement):
                    self.by_table[table] += 1
                    self.table_seconds[table] += elapsed

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)


class CountingClient(InProcessClient):
    """The in-process client, counting calls per tool and repeats of an identical call (same tool,
    same arguments): the most any cache of tool answers could serve without going stale."""

    def __init__(self, env: ToolEnv) -> None:
        super().__init__(env)
        self.by_tool: Counter[str] = Counter()
        self.seen: set[str] = set()
        self.repeats = 0

    async def _call(self, name: str, arguments: ToolArgs) -> ToolResult:
        self.by_tool[name] += 1
        key = f"{name} {json.dumps(arguments, sort_keys=True, default=str)}"
        self.repeats += key in self.seen
        self.seen.add(key)
        return await super()._call(name, arguments)


Run = Callable[[CountingClient, FixedClock, str, date], Awaitable[object]]


async def run_v5(client: CountingClient, clock: FixedClock, creator: str, week: date) -> object:
    return await EROSOrchestrator(client, clock=clock, signing_key=SIGNING_KEY).run(creator, week)


async def run_v4(client: CountingClient, clock: FixedClock, creator: str, week: date) -> object:
    return await LegacyPipeline(client, SIGNING_KEY, clock)(creator, week.isoformat())


def standalone_read_us(engine: Engine, table: str) -> float:
    """Mean microseconds of one full read of `table` (what a cache of it saves per read, at most)."""
    with engine.connect() as conn:
        conn.execute(text(f"SELECT * FROM {table}")).all()  # warm
        started = time.perf_counter()
        for _ in range(STANDALONE_READS):
            conn.execute(text(f"SELECT * FROM {table}")).all()
        return (time.perf_counter() - started) / STANDALONE_READS * 1e6


async def fan_out(name: str, run: Run, folder: Path, console: Console) -> None:
    path = folder / f"{name}.db"
    engine = make_engine(f"sqlite:///{path}", create=True)
    create_schema(engine)
    build_sample(engine, seed=DEFAULT_SEED, as_of=DEFAULT_AS_OF)
    clock = FixedClock(sample_now(DEFAULT_AS_OF))
    week = next_monday(DEFAULT_AS_OF)
    client = CountingClient(ToolEnv(partial(SqlUnitOfWork, engine), clock, SIGNING_KEY))
    roster = await client.get_active_creators(limit=500)
    creators = [str(c["creator_id"]) for c in roster["creators"]]
    await run(client, clock, creators[0], week)  # warm-up: imports, solver start-up
    client.by_tool.clear()
    client.seen.clear()
    client.repeats = 0
    tally = SqlTally()
    tally.watch(engine)
    started = time.perf_counter()
    for creator in creators:
        await run(client, clock, creator, week)
    wall = time.perf_counter() - started
    n = len(creators)

    table = Table(title=f"{name} weekly fan-out · {n} creators · per creator-week")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("wall time (ms)", f"{wall / n * 1000:.1f}")
    table.add_row("tool calls", f"{sum(client.by_tool.values()) / n:.1f}")
    table.add_row("repeats of an identical call in the fan-out", f"{client.repeats / n:.1f}")
    reference_calls = sum(v for k, v in client.by_tool.items() if k.startswith("get_send_types"))
    table.add_row("get_send_types* tool calls", f"{reference_calls / n:.2f}")
    table.add_row("SQL statements", f"{tally.statements / n:.1f}")
    table.add_row("SQL time (ms)", f"{tally.seconds / n * 1000:.2f}")
    for ref in REFERENCE_TABLES:
        share = tally.table_seconds[ref] / wall if wall else 0.0
        table.add_row(
            f"statements touching {ref} (ms, share of wall)",
            f"{tally.by_table[ref] / n:.1f} ({tally.table_seconds[ref] / n * 1000:.3f} ms, {share:.2%})",
        )
    console.print(table)
    console.print("tools called: " + ", ".join(f"{k} {v / n:.1f}" for k, v in sorted(client.by_tool.items())))
    if name == "v5":
        for ref in REFERENCE_TABLES:
            us = standalone_read_us(engine, ref)
            console.print(f"one full read of {ref}: {us:.1f} µs (mean of {STANDALONE_READS})")
    engine.dispose()


async def _main() -> int:
    console = Console()
    with tempfile.TemporaryDirectory(prefix="eros-bench-") as folder:
        await fan_out("v5", run_v5, Path(folder), console)
        await fan_out("v4", run_v4, Path(folder), console)
    return 0


def main() -> int:
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    return asyncio.run(_main())


if __name__ == "__main__":
    sys.exit(main())
