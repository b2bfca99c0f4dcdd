"""Per-tool latency of the eros-db tools, in-process and over stdio, and the size of the bundled profile.

A fresh sample (seed 7, as of 2026-01-04) is built in a temporary directory; every read tool is
called `CALLS` times per transport (creators rotate through the roster) after one warm-up call,
and p50/p95 are printed in milliseconds. save_schedule is measured too (a draft save: no
certificate). Not a test: it only prints numbers. `CALLS` can be set with EROS_BENCH_CALLS.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from eros.clock import FixedClock, iso_z, parse_instant
from eros.control.windows import nearest_rank
from eros.db.engine import create_schema, make_engine
from eros.db.sample import DEFAULT_AS_OF, DEFAULT_SEED, build_sample, sample_now
from eros.db.unit_of_work import SqlUnitOfWork
from eros.infra.mcp_clients import ErosClient, InProcessClient, StdioClient
from eros.tools import ToolEnv

SIGNING_KEY = "benchmark-signing-key-not-secret"
CALLS = int(os.environ.get("EROS_BENCH_CALLS", "200"))
WEEK = "2026-01-05"

Call = Callable[[ErosClient, str], Awaitable[dict[str, Any]]]

ITEMS: list[dict[str, Any]] = [
    {
        "send_type_key": "ppv_unlock",
        "scheduled_date": WEEK,
        "scheduled_time": "12:07",
        "price": 15.0,
        "flyer_required": 1,
    },
    {"send_type_key": "bump_normal", "scheduled_date": WEEK, "scheduled_time": "14:22"},
]

#: Each tool with the call that exercises it for one creator.
CASES: dict[str, Call] = {
    "get_active_creators": lambda c, _: c.get_active_creators(limit=50),
    "get_creator_profile": lambda c, cid: c.get_creator_profile(cid),
    "get_allowed_content_types": lambda c, cid: c.get_allowed_content_types(cid),
    "get_content_type_rankings": lambda c, cid: c.get_content_type_rankings(cid),
    "get_persona_profile": lambda c, cid: c.get_persona_profile(cid),
    "get_volume_config": lambda c, cid: c.get_volume_config(cid, WEEK),
    "get_active_volume_triggers": lambda c, cid: c.get_active_volume_triggers(cid),
    "get_performance_trends": lambda c, cid: c.get_performance_trends(cid),
    "get_captions": lambda c, cid: c.get_captions(cid, limit_per_type=20, limit_per_send_type=40),
    "get_send_type_captions": lambda c, cid: c.get_send_type_captions(cid, "bump_normal"),
    "validate_caption_structure": lambda c, _: c.validate_caption_structure(
        "Unlock tonight's set, babe", "ppv_unlock"
    ),
    "get_send_types_constraints": lambda c, _: c.get_send_types_constraints("paid"),
    "save_schedule": lambda c, cid: c.save_schedule(cid, WEEK, ITEMS),
    "get_schedules": lambda c, cid: c.get_schedules(creator_id=cid),
}


async def measure(client: ErosClient, creators: Sequence[str]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    for tool, call in CASES.items():
        await call(client, creators[0])
        samples = []
        for i in range(CALLS):
            started = time.perf_counter()
            await call(client, creators[i % len(creators)])
            samples.append((time.perf_counter() - started) * 1000)
        timings[tool] = samples
    return timings


async def run(db_path: Path, now: str) -> None:
    engine = make_engine(f"sqlite:///{db_path}")
    env = ToolEnv(partial(SqlUnitOfWork, engine), FixedClock(parse_instant(now)), SIGNING_KEY.encode())
    in_process = InProcessClient(env)
    roster = await in_process.get_active_creators(limit=500)
    creators = [c["creator_id"] for c in roster["creators"]]
    profile = await in_process.get_creator_profile("alexia")
    results = {"in-process": await measure(in_process, creators)}
    server_env = {**os.environ, "EROS_DB_PATH": str(db_path), "EROS_NOW": now}
    server_env.pop("EROS_DB_URL", None)
    async with StdioClient(env=server_env) as stdio:
        results["stdio"] = await measure(stdio, creators)
    table = Table(title=f"eros-db tool latency, ms ({CALLS} calls per tool and transport)")
    table.add_column("tool")
    for transport in results:
        table.add_column(f"{transport} p50", justify="right")
        table.add_column(f"{transport} p95", justify="right")
    for tool in CASES:
        row = [tool]
        for timings in results.values():
            row += [f"{nearest_rank(timings[tool], 50):.2f}", f"{nearest_rank(timings[tool], 95):.2f}"]
        table.add_row(*row)
    console = Console()
    console.print(table)
    size = len(json.dumps(profile).encode())
    console.print(f"bundled get_creator_profile('alexia'): {size:,} bytes of JSON (~{size // 4:,} tokens)")
    engine.dispose()


def main() -> int:
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "eros.db"
        now = iso_z(sample_now(DEFAULT_AS_OF))
        engine = make_engine(f"sqlite:///{db_path}", create=True)
        create_schema(engine)
        build_sample(engine, seed=DEFAULT_SEED, as_of=DEFAULT_AS_OF)
        engine.dispose()
        asyncio.run(run(db_path, now))
    return 0


if __name__ == "__main__":
    sys.exit(main())
