"""v4 (the ten-phase legacy pipeline) and v5 side by side over all 37 sample creators.

One run generates every creator's natural week (2026-01-05) with both pipelines — each on
its own copy of a fresh sample (seed 7, as of 2026-01-04), both saving as in production —
and prints a row per creator and a summary: latency p50/p95, MCP calls, status, quality,
expected revenue (the same revenue model for both), hard-gate violations, and the ratios.
This is the "v4 Baseline" column of the rollout plan's Final Validation table.

    python benchmarks/v4_vs_v5.py            # in-process MCP client
    python benchmarks/v4_vs_v5.py --stdio    # both pipelines through the stdio MCP server too

One warm-up run per pipeline and transport is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.table import Table
from v5 import SIGNING_KEY, _inherited, build_database, roster
from v5 import run_all as run_v5

from eros.clock import FixedClock, iso_z
from eros.control.windows import nearest_rank
from eros.db.engine import make_engine
from eros.db.sample import DEFAULT_AS_OF
from eros.db.unit_of_work import SqlUnitOfWork
from eros.infra.mcp_clients import ErosClient, InProcessClient, StdioClient
from eros.legacy.pipeline import LegacyPipeline
from eros.rules.calendar import next_monday
from eros.services.pipeline_run import PipelineResult
from eros.tools import ToolEnv

Runner = Callable[[ErosClient, FixedClock, list[str], date], Awaitable[list[PipelineResult]]]


async def run_v4(
    client: ErosClient, clock: FixedClock, creators: list[str], week: date
) -> list[PipelineResult]:
    pipeline = LegacyPipeline(client, SIGNING_KEY.encode(), clock)
    await pipeline(creators[0], week.isoformat(), dry_run=True)
    return [await pipeline(creator, week.isoformat()) for creator in creators]


def _status(result: PipelineResult) -> str:
    if result.validation_status is None:
        return "FAILED"
    return (
        f"{result.validation_status} {result.quality_score:.1f}"
        if result.quality_score is not None
        else result.validation_status
    )


def per_creator(console: Console, transport: str, v4: list[PipelineResult], v5: list[PipelineResult]) -> None:
    table = Table(title=f"v4 vs v5 per creator · {transport}")
    for name, justify in (
        ("creator", "left"),
        ("v4 ms", "right"),
        ("v5 ms", "right"),
        ("v4 calls", "right"),
        ("v5 calls", "right"),
        ("v4 status", "left"),
        ("v5 status", "left"),
        ("v4 revenue", "right"),
        ("v5 revenue", "right"),
        ("v4/v5 violations", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for old, new in zip(v4, v5, strict=True):
        table.add_row(
            old.creator_id,
            f"{old.total_duration_ms:.0f}",
            f"{new.total_duration_ms:.0f}",
            str(old.mcp_calls_total),
            str(new.mcp_calls_total),
            _status(old),
            _status(new),
            f"${old.expected_revenue or 0:,.0f}",
            f"${new.expected_revenue or 0:,.0f}",
            f"{old.hard_gate_violations} / {new.hard_gate_violations}",
        )
    console.print(table)


def summary(console: Console, transport: str, v4: list[PipelineResult], v5: list[PipelineResult]) -> None:
    def stats(results: list[PipelineResult]) -> dict[str, float | str]:
        ms = [r.total_duration_ms for r in results]
        calls = [r.mcp_calls_total for r in results]
        scores = [r.quality_score for r in results if r.quality_score is not None]
        statuses = Counter(r.validation_status or "FAILED" for r in results)
        return {
            "p50": nearest_rank(ms, 50) or 0.0,
            "p95": nearest_rank(ms, 95) or 0.0,
            "calls": statistics.fmean(calls),
            "calls_range": f"{min(calls)}–{max(calls)}",
            "success": sum(r.success for r in results) / len(results),
            "statuses": ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
            "quality": statistics.fmean(scores) if scores else 0.0,
            "quality_min": min(scores) if scores else 0.0,
            "revenue": sum(r.expected_revenue or 0.0 for r in results),
            "violations": sum(r.hard_gate_violations for r in results),
            "items": statistics.fmean(r.total_items for r in results),
        }

    old, new = stats(v4), stats(v5)

    def ratio(key: str) -> str:
        a, b = float(old[key]), float(new[key])
        return f"{a / b:.1f}× v4/v5" if b else "-"

    table = Table(title=f"v4 baseline vs v5 · {transport} · {len(v4)} creators")
    table.add_column("metric")
    table.add_column("v4 (legacy)", justify="right")
    table.add_column("v5", justify="right")
    table.add_column("ratio", justify="right")
    table.add_row("latency p50 (ms)", f"{old['p50']:.0f}", f"{new['p50']:.0f}", ratio("p50"))
    table.add_row("latency p95 (ms)", f"{old['p95']:.0f}", f"{new['p95']:.0f}", ratio("p95"))
    table.add_row(
        "MCP calls per schedule (mean, range)",
        f"{old['calls']:.1f} ({old['calls_range']})",
        f"{new['calls']:.1f} ({new['calls_range']})",
        ratio("calls"),
    )
    table.add_row("success rate", f"{old['success']:.0%}", f"{new['success']:.0%}", "")
    table.add_row("status", str(old["statuses"]), str(new["statuses"]), "")
    table.add_row(
        "quality mean (min)",
        f"{old['quality']:.1f} ({old['quality_min']:.1f})",
        f"{new['quality']:.1f} ({new['quality_min']:.1f})",
        f"{float(new['quality']) - float(old['quality']):+.1f} v5−v4",
    )
    table.add_row(
        "expected revenue (all creators)",
        f"${old['revenue']:,.0f}",
        f"${new['revenue']:,.0f}",
        f"{float(new['revenue']) / float(old['revenue']):.3f}× v5/v4" if old["revenue"] else "-",
    )
    table.add_row("items per schedule (mean)", f"{old['items']:.1f}", f"{new['items']:.1f}", "")
    table.add_row("hard-gate violations", str(old["violations"]), str(new["violations"]), "")
    console.print(table)
    for result in (*v4, *v5):
        if not result.success:
            console.print(f"[red]✗ {result.pipeline} {result.creator_id}[/]: {'; '.join(result.errors)}")


async def compare(
    console: Console,
    transport: str,
    clients: Callable[[Path], ErosClient],
    paths: dict[str, Path],
    clock: FixedClock,
) -> None:
    week = next_monday(DEFAULT_AS_OF)
    results: dict[str, list[PipelineResult]] = {}
    for name, run in (("v4", run_v4), ("v5", run_v5)):
        client = clients(paths[name])
        async with _session(client):
            creators = await roster(client)
            results[name] = await run(client, clock, creators, week)
    per_creator(console, transport, results["v4"], results["v5"])
    summary(console, transport, results["v4"], results["v5"])


class _session:
    """Hold a stdio client's server open for the whole batch; nothing to do in-process."""

    def __init__(self, client: ErosClient) -> None:
        self.client = client

    async def __aenter__(self) -> None:
        if isinstance(self.client, StdioClient):
            await self.client.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        if isinstance(self.client, StdioClient):
            await self.client.__aexit__(None, None, None)


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stdio", action="store_true", help="also run both pipelines over the stdio MCP server"
    )
    args = parser.parse_args(argv)
    console = Console(width=160)
    with tempfile.TemporaryDirectory(prefix="eros-bench-v4v5-") as folder:
        source, clock = build_database(Path(folder))
        paths = {}
        for name in ("v4", "v5"):
            paths[name] = Path(folder) / f"{name}.db"
            shutil.copyfile(source, paths[name])

        def inprocess(path: Path) -> ErosClient:
            return InProcessClient(
                ToolEnv(partial(SqlUnitOfWork, make_engine(f"sqlite:///{path}")), clock, SIGNING_KEY.encode())
            )

        await compare(console, "in-process", inprocess, paths, clock)
        if args.stdio:

            def stdio(path: Path) -> ErosClient:
                env = {
                    "EROS_DB_PATH": str(path),
                    "EROS_NOW": iso_z(clock.now()),
                    "EROS_SIGNING_KEY": SIGNING_KEY,
                }
                return StdioClient(env={**_inherited(), **env})

            await compare(console, "stdio", stdio, paths, clock)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
