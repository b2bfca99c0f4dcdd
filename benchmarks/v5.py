"""The v5 pipeline over all 37 sample creators, in-process and through the stdio MCP server.

Prints one table per transport — end-to-end latency p50/p95, MCP calls per schedule, status
and quality distribution, hard-gate violations, the solver's gap, expected revenue — and, in
the same run, the naive baseline's expected revenue and time, so the ratio is visible.

Targets (issue 5): p95 ≤ 1 s in-process and ≤ 2 s over stdio, ≤ 7 MCP calls, every creator
APPROVED with quality ≥ 85, 0 hard-gate violations, gap ≤ 2 %, revenue ≥ 1.15 × baseline.

A fresh sample (seed 7, as of 2026-01-04) is built in a temporary directory; the week planned
is the natural one, 2026-01-05. One warm-up run per transport (imports, solver start-up, the
server process) is not counted.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.table import Table

from eros.clock import FixedClock, iso_z
from eros.control.windows import nearest_rank
from eros.db.engine import create_schema, make_engine
from eros.db.sample import DEFAULT_AS_OF, DEFAULT_SEED, build_sample, sample_now
from eros.db.unit_of_work import SqlUnitOfWork
from eros.infra.mcp_clients import ErosClient, InProcessClient, StdioClient
from eros.orchestrator import EROSOrchestrator
from eros.rules.calendar import next_monday
from eros.scheduling.baseline import naive_week
from eros.scheduling.revenue_model import fit
from eros.services.pipeline_run import PipelineResult
from eros.services.preflight import PreflightEngine
from eros.tools import ToolEnv
from eros.validation.certificate import schedule_hash

SIGNING_KEY = "benchmark-signing-key-not-secret"
TARGET_P95_MS = {"in-process": 1000.0, "stdio": 2000.0}
TARGET_CALLS = 7
TARGET_QUALITY = 85.0
TARGET_GAP = 0.02
TARGET_RATIO = 1.15


@dataclass(frozen=True)
class Baselines:
    revenue: dict[str, float]
    ms: list[float]


PHASES = ("preflight", "generator", "validator", "save")


def phase_ms(results: Sequence[PipelineResult], phase: str) -> list[float]:
    return [float(r.metrics[phase]["duration_ms"]) for r in results]


def schedule_digest(result: PipelineResult) -> str:
    """The certificate hash of the run's items: equal digests mean the same schedule (D2)."""
    return schedule_hash((result.schedule or {}).get("items") or [])


def build_database(folder: Path) -> tuple[Path, FixedClock]:
    path = folder / "eros.db"
    clock = FixedClock(sample_now(DEFAULT_AS_OF))
    engine = make_engine(f"sqlite:///{path}", create=True)
    create_schema(engine)
    build_sample(engine, seed=DEFAULT_SEED, as_of=DEFAULT_AS_OF)
    engine.dispose()
    return path, clock


async def roster(client: ErosClient) -> list[str]:
    answer = await client.call_tool("get_active_creators", {"limit": 500, "sort_by": "name"})
    return [str(c["creator_id"]) for c in answer["creators"]]


async def run_all(
    client: ErosClient, clock: FixedClock, creators: list[str], week: date
) -> list[PipelineResult]:
    orchestrator = EROSOrchestrator(client, clock=clock, signing_key=SIGNING_KEY.encode())
    await orchestrator.run(creators[0], week, dry_run=True)
    return [await orchestrator.run(creator, week) for creator in creators]


async def baselines(client: ErosClient, clock: FixedClock, creators: list[str], week: date) -> Baselines:
    """The naive baseline per creator, timed on the same contexts the pipeline plans from."""
    preflight = PreflightEngine(client, clock=clock)
    revenue: dict[str, float] = {}
    durations: list[float] = []
    for creator in creators:
        context = await preflight.execute(creator, week)
        started = clock.monotonic()
        baseline = naive_week(context, fit(context.analytics))
        durations.append((clock.monotonic() - started) * 1000)
        revenue[context.creator_id] = baseline.expected_revenue
    return Baselines(revenue, durations)


def report(console: Console, transport: str, results: list[PipelineResult], base: Baselines) -> bool:
    """Print the transport's table; True when every target holds."""
    latencies = [r.total_duration_ms for r in results]
    calls = [r.mcp_calls_total for r in results]
    scores = [r.quality_score for r in results if r.quality_score is not None]
    gaps = [float((r.schedule or {}).get("gap") or 0.0) for r in results]
    revenue = sum(r.expected_revenue or 0.0 for r in results)
    baseline = sum(base.revenue.get(r.creator_id, 0.0) for r in results)
    ratios = [
        (r.expected_revenue or 0.0) / base.revenue[r.creator_id]
        for r in results
        if base.revenue.get(r.creator_id)
    ]
    statuses = Counter(r.validation_status or "ERROR" for r in results)
    violations = sum(r.hard_gate_violations for r in results)
    solvers = Counter(str((r.schedule or {}).get("solver")) for r in results)
    p95 = nearest_rank(latencies, 95)
    assert p95 is not None, "no runs to measure"
    checks = {
        "p95 latency": p95 <= TARGET_P95_MS[transport],
        "MCP calls": max(calls) <= TARGET_CALLS,
        "all APPROVED": statuses.get("APPROVED", 0) == len(results),
        "quality": bool(scores) and min(scores) >= TARGET_QUALITY,
        "gate violations": violations == 0,
        "gap": max(gaps) <= TARGET_GAP,
        "revenue ratio": baseline > 0 and revenue / baseline >= TARGET_RATIO,
    }
    table = Table(title=f"v5 pipeline · {transport} · {len(results)} creators")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("target")
    rows = [
        (
            "latency p50 / p95 / max (ms)",
            f"{nearest_rank(latencies, 50):.0f} / {p95:.0f} / {max(latencies):.0f}",
            f"p95 ≤ {TARGET_P95_MS[transport]:.0f}",
            checks["p95 latency"],
        ),
        (
            "phase p50 (ms): " + " / ".join(PHASES),
            " / ".join(f"{nearest_rank(phase_ms(results, p), 50):.0f}" for p in PHASES),
            "",
            True,
        ),
        (
            "MCP calls per schedule (min / max)",
            f"{min(calls)} / {max(calls)}",
            f"≤ {TARGET_CALLS}",
            checks["MCP calls"],
        ),
        (
            "status",
            ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
            "all APPROVED",
            checks["all APPROVED"],
        ),
        (
            "quality min / median / max",
            f"{min(scores):.1f} / {statistics.median(scores):.1f} / {max(scores):.1f}" if scores else "-",
            f"≥ {TARGET_QUALITY:.0f}",
            checks["quality"],
        ),
        ("hard-gate violations", str(violations), "0", checks["gate violations"]),
        (
            "solver gap max / mean",
            f"{max(gaps):.2%} / {statistics.fmean(gaps):.2%}",
            f"≤ {TARGET_GAP:.0%}",
            checks["gap"],
        ),
        ("solver", ", ".join(f"{k} {v}" for k, v in sorted(solvers.items())), "", True),
        ("expected revenue (all creators)", f"${revenue:,.2f}", "", True),
        ("naive baseline revenue", f"${baseline:,.2f}", "", True),
        (
            "revenue ÷ baseline (total / min per creator)",
            f"{revenue / baseline:.3f} / {min(ratios):.3f}" if baseline and ratios else "-",
            f"≥ {TARGET_RATIO:.2f}",
            checks["revenue ratio"],
        ),
        (
            "naive baseline time p50 / max (ms)",
            f"{nearest_rank(base.ms, 50):.2f} / {max(base.ms):.2f}",
            "",
            True,
        ),
    ]
    for name, value, target, ok in rows:
        table.add_row(name, value, f"{target} {'[green]✓[/]' if ok else '[red]✗[/]'}" if target else "")
    console.print(table)
    failures = [r for r in results if not r.success]
    for failed in failures:
        console.print(f"[red]✗ {failed.creator_id}[/]: {'; '.join(failed.errors)}")
    return all(checks.values())


async def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    console = Console()
    week = next_monday(DEFAULT_AS_OF)
    with tempfile.TemporaryDirectory(prefix="eros-bench-") as folder:
        path, clock = build_database(Path(folder))
        engine = make_engine(f"sqlite:///{path}")
        inprocess = InProcessClient(ToolEnv(partial(SqlUnitOfWork, engine), clock, SIGNING_KEY.encode()))
        creators = await roster(inprocess)
        base = await baselines(
            InProcessClient(ToolEnv(partial(SqlUnitOfWork, engine), clock, SIGNING_KEY.encode())),
            clock,
            creators,
            week,
        )
        local = await run_all(inprocess, clock, creators, week)
        ok = report(console, "in-process", local, base)
        server_env = {
            "EROS_DB_PATH": str(path),
            "EROS_NOW": iso_z(clock.now()),
            "EROS_SIGNING_KEY": SIGNING_KEY,
        }
        async with StdioClient(env={**_inherited(), **server_env}) as stdio:
            remote = await run_all(stdio, clock, creators, week)
            ok = report(console, "stdio", remote, base) and ok
        same = sum(schedule_digest(a) == schedule_digest(b) for a, b in zip(local, remote, strict=True))
        console.print(f"determinism: {same}/{len(local)} schedules identical in-process and over stdio")
        ok = ok and same == len(local)
        engine.dispose()
    console.print("[green]all targets met[/]" if ok else "[yellow]some targets missed[/]")
    return 0


def _inherited() -> dict[str, str]:
    """The server process needs the interpreter's environment (PATH, virtualenv), minus DB settings."""
    return {k: v for k, v in os.environ.items() if k not in {"EROS_DB_URL", "EROS_MCP_TRANSPORT"}}


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
