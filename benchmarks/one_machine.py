"""How close one machine runs to the solver's limit (issue 14 item 5): latency, start-up, batch, memory.

Prints, on a fresh sample (seed 7, as of 2026-01-04, week 2026-01-05):

- per creator-week in-process (the orchestrator over the in-process tools, the batch's GC set-up
  when the code has one): p50 / p95 of the whole run and of preflight / generator / validator;
- CLI start-up: the median of `--cli-runs` runs each of `eros --help`, `eros route alexia`, `eros status`;
- the batch: `eros generate --all` (37 creators, one process) and `eros demo` on an existing
  database (what `make run` does: two worker processes), wall time including start-up, and the
  peak RSS of the largest process;
(the quarter-hour grid, EROS_TIME_GRID=15, has its own benchmark: time_grid.py).

The machine is shared and noisy, so compare code paired: `--paired-with OLD_SRC` runs this script
`--rounds` times against OLD_SRC (e.g. a `git archive main` copy's `src`) and against this tree,
alternating which goes first, and prints the median of every figure for both.

    .venv/bin/python benchmarks/one_machine.py [--passes 2] [--cli-runs 5] [--sections inprocess,cli,batch]
    .venv/bin/python benchmarks/one_machine.py --paired-with /tmp/main/src --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

SEED, AS_OF, NOW, WEEK = "7", "2026-01-04", "2026-01-04T12:00:00Z", "2026-01-05"
SIGNING_KEY = "benchmark-signing-key-not-secret"
EROS = str(Path(sys.executable).with_name("eros"))
SRC = Path(__file__).resolve().parent.parent / "src"
PHASES = ("preflight", "generator", "validator")
#: Targets of issue 14 item 5 (ms, or s where the name says so).
TARGETS = {
    "run p50": 120.0,
    "run p95": 200.0,
    "eros --help s": 0.25,
    "eros route alexia s": 0.5,
    "eros status s": 0.5,
    "eros demo (37 creators) s": 6.0,
}


def rank(values: Sequence[float], pct: int) -> float:
    """The nearest-rank percentile the SLO windows use (eros.control.windows)."""
    from eros.control.windows import nearest_rank  # noqa: PLC0415 - imported with the code measured

    value = nearest_rank(list(values), pct)
    assert value is not None, "nothing measured"
    return value


def cli_env(db: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("EROS_")},
        "EROS_DB_PATH": str(db),
        "EROS_NOW": NOW,
        "EROS_SIGNING_KEY": SIGNING_KEY,
        "EROS_LEARNINGS_PATH": str(db.with_suffix(".learnings.md")),
        **extra,
    }


def timed(args: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB of the largest process) of one command, its output discarded."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def build_database(folder: Path) -> Path:
    db = folder / "sample.db"
    subprocess.run(
        [EROS, "db", "init", "--sample", "--seed", SEED, "--as-of", AS_OF],
        env=cli_env(db),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return db


def cli_startup(db: Path, runs: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for args in (["--help"], ["route", "alexia"], ["status"]):
        walls = [timed([EROS, *args], cli_env(db))[0] for _ in range(runs)]
        out[f"eros {' '.join(args)} s"] = statistics.median(walls)
    return out


def batch(folder: Path, db: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, args in (
        ("eros generate --all (37 creators)", ["generate", "--all", "--week", WEEK]),
        ("eros demo (37 creators)", ["demo"]),
    ):
        copy = folder / "batch.db"
        shutil.copyfile(db, copy)
        wall, rss = timed([EROS, *args], cli_env(copy))
        out[f"{name} s"] = wall
        out[f"{name} peak RSS MiB"] = rss
        copy.unlink()
    return out


@contextlib.contextmanager
def batch_gc() -> Iterator[None]:
    """The batch commands' GC set-up (after the warm-up), when the code measured has one."""
    try:
        from eros.cli.batch_runtime import BatchGC  # noqa: PLC0415 - absent in older code
    except ImportError:
        yield
        return
    with BatchGC() as tuned:
        tuned.settle()
        yield


async def in_process(db: Path, passes: int) -> dict[str, Any]:
    """Every sample creator `passes` times through the orchestrator over the in-process tools."""
    from eros.clock import FixedClock, parse_instant  # noqa: PLC0415 - imported with the code measured
    from eros.db.engine import make_engine  # noqa: PLC0415
    from eros.db.unit_of_work import SqlUnitOfWork  # noqa: PLC0415
    from eros.infra.mcp_clients import InProcessClient  # noqa: PLC0415
    from eros.orchestrator import EROSOrchestrator  # noqa: PLC0415
    from eros.tools import ToolEnv  # noqa: PLC0415

    clock = FixedClock(parse_instant(NOW))
    engine = make_engine(f"sqlite:///{db}")
    client = InProcessClient(ToolEnv(partial(SqlUnitOfWork, engine), clock, SIGNING_KEY.encode()))
    answer = await client.call_tool("get_active_creators", {"limit": 500, "sort_by": "name"})
    creators = [str(c["creator_id"]) for c in answer["creators"]]
    orchestrator = EROSOrchestrator(client, clock=clock, signing_key=SIGNING_KEY.encode())
    week = date.fromisoformat(WEEK)
    await orchestrator.run(creators[0], week, dry_run=True)  # warm-up: imports, first solve
    totals: list[float] = []
    phases: dict[str, list[float]] = {p: [] for p in PHASES}
    revenue = 0.0
    with batch_gc():
        for _ in range(passes):
            for creator in creators:
                result = await orchestrator.run(creator, week, dry_run=True)
                totals.append(result.total_duration_ms)
                for phase in PHASES:
                    phases[phase].append(float(result.metrics[phase]["duration_ms"]))
                revenue += result.expected_revenue or 0.0
    engine.dispose()
    out: dict[str, Any] = {"run p50": rank(totals, 50), "run p95": rank(totals, 95)}
    for phase in PHASES:
        out[f"{phase} p50"] = rank(phases[phase], 50)
        out[f"{phase} p95"] = rank(phases[phase], 95)
    out["expected revenue per pass $"] = revenue / passes
    out["in-process peak RSS MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(args: argparse.Namespace) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="eros-one-machine-") as tmp:
        folder = Path(tmp)
        db = build_database(folder)
        if "cli" in args.sections:
            figures.update(cli_startup(db, args.cli_runs))
        if "batch" in args.sections:
            figures.update(batch(folder, db))
        if "inprocess" in args.sections:
            figures.update(asyncio.run(in_process(db, args.passes)))
    return figures


def print_figures(figures: dict[str, Any]) -> None:
    for name, value in figures.items():
        target = TARGETS.get(name)
        mark = "" if target is None else f"   (target ≤ {target:g}: {'ok' if value <= target else 'MISSED'})"
        print(f"{name:<44} {value:>12.3f}{mark}")


def paired(args: argparse.Namespace, own: list[str]) -> None:
    """This script against `--paired-with` and this tree, interleaved; medians of every figure."""
    sources = {"before": args.paired_with, "after": str(SRC)}
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for round_no in range(args.rounds):
        order = ("before", "after") if round_no % 2 == 0 else ("after", "before")
        for side in order:
            env = {**os.environ, "PYTHONPATH": sources[side]}
            done = subprocess.run(
                [sys.executable, __file__, "--json", *own],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            runs[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"round {round_no + 1} {side} done", file=sys.stderr, flush=True)
    names = [n for n in runs["after"][0] if n in runs["before"][0]] + [
        n for n in runs["after"][0] if n not in runs["before"][0]
    ]
    print(f"{'median of ' + str(args.rounds) + ' paired rounds':<44} {'before':>12} {'after':>12}  ratio")
    for name in names:
        before = [r[name] for r in runs["before"] if name in r]
        after = statistics.median(r[name] for r in runs["after"])
        old = statistics.median(before) if before else float("nan")
        ratio = f"{after / old:.2f}×" if before and old else ""
        print(f"{name:<44} {old:>12.3f} {after:>12.3f}  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passes", type=int, default=2, help="in-process passes over the 37 creators")
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of each CLI command (median)")
    parser.add_argument("--sections", default="inprocess,cli,batch", help="comma-separated subset")
    parser.add_argument("--json", action="store_true", help="one JSON line (for --paired-with)")
    parser.add_argument("--paired-with", help="the `src` folder of the code to compare against")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds")
    args = parser.parse_args()
    args.sections = set(args.sections.split(","))
    if args.paired_with:
        own = [a for a in sys.argv[1:] if a not in ("--paired-with", args.paired_with)]
        paired(args, own)
        return
    figures = measure(args)
    if args.json:
        print(json.dumps(figures))
    else:
        print_figures(figures)


if __name__ == "__main__":
    main()
