"""The generator over every sample creator and every week of a year (issue 5: "zero hard-gate
violations for every sample creator and every week of a year").

For each creator × week: preflight over the in-process tools builds the context, `plan_week`
plans it, the hard gates of eros.validation.gates check it. Prints violations (must be 0), the
solver's status, gap, the expected revenue against the naive baseline, and plan latency.

    .venv/bin/python benchmarks/generator_sweep.py [--weeks 52] [--creators a,b] [--workers N]

A fresh sample (seed 7, as of 2026-01-04) is built in a temporary directory; weeks start on
2026-01-05 and follow each other. Plans run in a process pool (default: one per CPU); the
latency column is per plan inside its worker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from eros.clock import FixedClock
from eros.control.windows import nearest_rank
from eros.db.engine import create_schema, make_engine
from eros.db.sample import DEFAULT_AS_OF, DEFAULT_SEED, build_sample, sample_now
from eros.db.unit_of_work import SqlUnitOfWork
from eros.infra.mcp_clients import InProcessClient
from eros.models import CreatorContext
from eros.scheduling import plan_week
from eros.services.preflight import PreflightEngine
from eros.tools import ToolEnv
from eros.validation.gates import evaluate_gates, facts_from_context

SIGNING_KEY = "benchmark-signing-key-not-secret"
FIRST_WEEK = date(2026, 1, 5)
TARGET_GAP = 0.02
TARGET_RATIO = 1.15


@dataclass(frozen=True)
class Outcome:
    creator: str
    week: str
    violations: int
    codes: tuple[str, ...]
    solver: str
    gap: float
    ratio: float
    ms: float


def plan_one(context_json: dict[str, Any]) -> Outcome:
    context = CreatorContext.model_validate(context_json)
    started = time.perf_counter()
    plan = plan_week(context)
    ms = (time.perf_counter() - started) * 1000
    violations = evaluate_gates(plan.items, facts_from_context(context))
    return Outcome(
        context.page_name,
        context.week_start.isoformat(),
        len(violations),
        tuple(sorted({v.code for v in violations})),
        plan.solver,
        plan.gap,
        plan.revenue_ratio,
        ms,
    )


async def contexts(folder: Path, creators: list[str] | None, weeks: int) -> list[dict[str, Any]]:
    clock = FixedClock(sample_now(DEFAULT_AS_OF))
    engine = make_engine(f"sqlite:///{folder / 'eros.db'}", create=True)
    create_schema(engine)
    build_sample(engine, seed=DEFAULT_SEED, as_of=DEFAULT_AS_OF)
    client = InProcessClient(ToolEnv(partial(SqlUnitOfWork, engine), clock, SIGNING_KEY.encode()))
    if creators is None:
        roster = await client.call_tool("get_active_creators", {"limit": 500, "sort_by": "name"})
        creators = [str(c["creator_id"]) for c in roster["creators"]]
    preflight = PreflightEngine(client, clock=clock)
    out = []
    for creator in creators:
        for n in range(weeks):
            context = await preflight.execute(creator, FIRST_WEEK + timedelta(weeks=n))
            out.append(context.model_dump(mode="json"))
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--creators", help="comma-separated ids (default: every active creator)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    creators = args.creators.split(",") if args.creators else None
    with tempfile.TemporaryDirectory() as folder:
        jobs = asyncio.run(contexts(Path(folder), creators, args.weeks))
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        outcomes = list(pool.map(plan_one, jobs, chunksize=8))

    violations = sum(o.violations for o in outcomes)
    ratios = [o.ratio for o in outcomes]
    gaps = [o.gap for o in outcomes]
    ms = [o.ms for o in outcomes]
    creators_seen = len({o.creator for o in outcomes})
    print(f"plans: {len(outcomes)} ({creators_seen} creators × {args.weeks} weeks from {FIRST_WEEK})")
    print(
        f"violations={violations}"
        + (f"  codes: {Counter(c for o in outcomes for c in o.codes)}" if violations else "")
    )
    print(f"solver: {dict(Counter(o.solver for o in outcomes))}")
    print(f"gap: max {max(gaps):.4%}  mean {statistics.fmean(gaps):.4%}  (target ≤ {TARGET_GAP:.0%})")
    print(
        f"revenue / naive baseline: min {min(ratios):.3f}  p5 {nearest_rank(ratios, 5):.3f}  "
        f"median {statistics.median(ratios):.3f}  "
        f"below {TARGET_RATIO}: {sum(r < TARGET_RATIO for r in ratios)}"
    )
    print(
        f"plan latency ms: p50 {nearest_rank(ms, 50):.0f}  p95 {nearest_rank(ms, 95):.0f}  max {max(ms):.0f}"
    )
    worst = sorted(outcomes, key=lambda o: o.ratio)[:5]
    print("lowest ratios: " + ", ".join(f"{o.creator} {o.week} {o.ratio:.3f}" for o in worst))
    return 0 if violations == 0 and max(gaps) <= TARGET_GAP else 1


if __name__ == "__main__":
    sys.exit(main())
