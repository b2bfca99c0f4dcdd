"""The quarter-hour grid (EROS_TIME_GRID=15) against the 45-minute grid: revenue gained, time paid.

For every sample creator (seed 7, as of 2026-01-04) and `--weeks` weeks from 2026-01-05, preflight
builds the context once and `plan_week` plans it on each grid in this process. Prints the
expected revenue and the solver's objective of both (total and per creator-week), the generator's
time per creator-week (p50 / p95), hard-gate violations (must be 0) and how many weeks each
grid's solver planned (a greedy fallback would show here).

    .venv/bin/python benchmarks/time_grid.py [--weeks 1]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from eros.clock import FixedClock
from eros.control.windows import nearest_rank
from eros.db.engine import create_schema, make_engine
from eros.db.sample import DEFAULT_AS_OF, DEFAULT_SEED, build_sample, sample_now
from eros.db.unit_of_work import SqlUnitOfWork
from eros.infra.mcp_clients import InProcessClient
from eros.models import CreatorContext
from eros.rules.timing import TIME_GRIDS
from eros.scheduling import plan_week
from eros.services.preflight import PreflightEngine
from eros.tools import ToolEnv
from eros.validation.gates import evaluate_gates, facts_from_context

FIRST_WEEK = date(2026, 1, 5)


async def contexts(folder: Path, weeks: int) -> list[CreatorContext]:
    clock = FixedClock(sample_now(DEFAULT_AS_OF))
    engine = make_engine(f"sqlite:///{folder / 'eros.db'}", create=True)
    create_schema(engine)
    build_sample(engine, seed=DEFAULT_SEED, as_of=DEFAULT_AS_OF)
    client = InProcessClient(ToolEnv(partial(SqlUnitOfWork, engine), clock, b"benchmark-key"))
    roster = await client.call_tool("get_active_creators", {"limit": 500, "sort_by": "name"})
    preflight = PreflightEngine(client, clock=clock)
    out = [
        await preflight.execute(str(c["creator_id"]), FIRST_WEEK + timedelta(weeks=n))
        for c in roster["creators"]
        for n in range(weeks)
    ]
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--weeks", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        weeks = asyncio.run(contexts(Path(folder), args.weeks))
    plan_week(weeks[0])  # warm-up: OR-Tools import, first solve
    revenue: dict[int, list[float]] = {grid: [] for grid in TIME_GRIDS}
    objective: dict[int, list[float]] = {grid: [] for grid in TIME_GRIDS}
    ms: dict[int, list[float]] = {grid: [] for grid in TIME_GRIDS}
    solvers: dict[int, Counter[str]] = {grid: Counter() for grid in TIME_GRIDS}
    violations = 0
    for context in weeks:
        for grid in TIME_GRIDS:
            started = time.perf_counter()
            plan = plan_week(context, time_grid=grid)
            ms[grid].append((time.perf_counter() - started) * 1000)
            revenue[grid].append(plan.expected_revenue)
            objective[grid].append(plan.objective)
            solvers[grid][plan.solver] += 1
            violations += len(evaluate_gates(plan.items, facts_from_context(context)))
    coarse, fine = TIME_GRIDS
    print(f"creator-weeks: {len(weeks)} ({args.weeks} week(s) from {FIRST_WEEK})")
    for grid in TIME_GRIDS:
        print(
            f"grid {grid:>2} min: expected revenue ${sum(revenue[grid]):,.2f}  objective "
            f"{sum(objective[grid]):,.2f}  generator ms p50 {nearest_rank(ms[grid], 50):.0f} "
            f"p95 {nearest_rank(ms[grid], 95):.0f}  solver {dict(solvers[grid])}"
        )
    gains = [100 * (f / c - 1) for c, f in zip(objective[coarse], objective[fine], strict=True) if c > 0]
    revenue_gain = 100 * (sum(revenue[fine]) / sum(revenue[coarse]) - 1)
    print(
        f"grid {fine} vs {coarse}: expected revenue {revenue_gain:+.2f} %"
        f"  objective {100 * (sum(objective[fine]) / sum(objective[coarse]) - 1):+.2f} %"
        f" (per creator-week min {min(gains):+.2f} % median {statistics.median(gains):+.2f} %"
        f" max {max(gains):+.2f} %)"
    )
    print(
        f"extra generator time per creator-week: p50 "
        f"{statistics.median(f - c for c, f in zip(ms[coarse], ms[fine], strict=True)):+.0f} ms"
    )
    print(f"hard-gate violations: {violations}")


if __name__ == "__main__":
    main()
