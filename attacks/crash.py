"""Crash attack (issue 11, "a crash leaves nothing stuck"): kill -9 the batch commands mid-run.

Through the real `eros` console script, on a sample database in a temporary directory:

1. kill -9 `eros run --all` (v5 at 100 %) while a run is in flight, then ask `eros status` what
   is in flight one second before that run's lease ends and when it ends (stuck: must be 0);
2. `eros rollback` right after that crash: seconds until its alert exists, and until it returns
   (the drain waits only while the dead run's lease lasts; the clock is pinned 3 s before its end);
3. kill -9 `eros generate --all --jobs 2` while its workers run: workers left (must be 0).

Prints a table (or `--json`); exits 1 when a number that must be 0 is not. Every wait has a
deadline, so it ends within about two minutes; it touches only a temporary directory. Linux
only (it reads /proc to find the workers).

    .venv/bin/python attacks/crash.py
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eros.clock import iso_z
from eros.control.slo import DEFAULT_SLO

EROS = str(Path(sys.executable).with_name("eros"))
NOW = datetime(2026, 1, 4, 12, tzinfo=UTC)
#: Tries to land the kill while a run is in flight (a kill between two runs leaves none).
ATTEMPTS = 5
WAIT_S = 30.0
#: How long a killed command's workers get to go away.
ORPHAN_WAIT_S = 10.0
#: The rollback runs with its clock this long before the dead run's lease ends.
LEASE_LEFT = timedelta(seconds=3)


@dataclass
class Figures:
    """What the attack measured; `stuck_runs`, `leftover_workers` and `tracebacks` must be 0."""

    kill_attempts: int = 0
    in_flight_at_kill: int = 0
    in_flight_before_lease_end: int = 0
    stuck_runs: int = 0
    abandoned_runs: int = 0
    rollback_alert_s: float = 0.0
    rollback_return_s: float = 0.0
    rollback_drained: bool = False
    workers_at_kill: int = 0
    leftover_workers: int = 0
    tracebacks: int = 0

    @property
    def failures(self) -> list[str]:
        failed = [name for name in ("stuck_runs", "leftover_workers", "tracebacks") if getattr(self, name)]
        if self.in_flight_at_kill == 0:
            failed.append("in_flight_at_kill (the kill never landed mid-run)")
        if self.workers_at_kill == 0:
            failed.append("workers_at_kill (no worker was running)")
        if self.rollback_alert_s >= self.rollback_return_s:
            failed.append("rollback_alert_s (the alert waited for the drain)")
        return failed


def environment(directory: Path, now: datetime, **extra: str) -> dict[str, str]:
    """The commands' environment: this temp directory's database, a pinned clock, nothing else of EROS."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EROS_")}
    return env | {"EROS_DB_PATH": str(directory / "eros.db"), "EROS_NOW": iso_z(now), **extra}


def query(directory: Path, sql: str) -> int:
    """One number from the database, read-only (the commands own the writes)."""
    with sqlite3.connect(f"file:{directory / 'eros.db'}?mode=ro", uri=True, timeout=10) as conn:
        return int(conn.execute(sql).fetchone()[0] or 0)


def unfinished(directory: Path) -> int:
    return query(directory, "SELECT COUNT(*) FROM pipeline_runs WHERE finished_at IS NULL")


def more_unfinished(directory: Path, before: int) -> bool:
    return unfinished(directory) > before


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll `condition` until it holds or `seconds` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.002)
    return condition()


class Commands:
    """Runs `eros` in one directory and counts the tracebacks any of its commands print."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.tracebacks = 0

    def start(self, args: list[str], env: Mapping[str, str]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [EROS, *args],
            cwd=self.directory,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: the attack can always clean it up
        )

    def finish(self, process: subprocess.Popen[str], timeout: float = WAIT_S) -> str:
        """Wait for the command (killing its group past the timeout); its stdout."""
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
        self.tracebacks += "Traceback" in err
        return out

    def run(self, args: list[str], env: Mapping[str, str]) -> str:
        return self.finish(self.start(args, env))


def kill_run_all(commands: Commands, figures: Figures) -> None:
    """kill -9 `eros run --all` while one of its v5 runs is in flight."""
    env = environment(commands.directory, NOW, EROS_V5_ENABLED="true", EROS_V5_PERCENTAGE="100")
    for attempt in range(1, ATTEMPTS + 1):
        figures.kill_attempts = attempt
        before = unfinished(commands.directory)
        process = commands.start(["run", "--all"], env)
        wait_for(functools.partial(more_unfinished, commands.directory, before), WAIT_S)
        os.kill(process.pid, signal.SIGKILL)
        commands.finish(process)
        if unfinished(commands.directory) > before:
            break
    figures.in_flight_at_kill = unfinished(commands.directory)


def in_flight_at(commands: Commands, now: datetime) -> dict[str, int]:
    """What `eros status --json` reports for v5 at `now`: in flight and abandoned."""
    out = commands.run(["status", "--json"], environment(commands.directory, now))
    status = json.loads(out)["status"]
    return {"in_flight": status["in_flight"]["v5"], "abandoned": status["abandoned"]["v5"]}


def measure_stuck(commands: Commands, figures: Figures) -> None:
    lease_end = NOW + DEFAULT_SLO.run_lease
    figures.in_flight_before_lease_end = in_flight_at(commands, lease_end - timedelta(seconds=1))["in_flight"]
    after = in_flight_at(commands, lease_end)
    figures.stuck_runs, figures.abandoned_runs = after["in_flight"], after["abandoned"]


def rollback_after_the_crash(commands: Commands, figures: Figures) -> None:
    """`eros rollback` with 3 s of the dead run's lease left: when the alert lands, when it returns."""
    env = environment(commands.directory, NOW + DEFAULT_SLO.run_lease - LEASE_LEFT)
    started = time.monotonic()
    process = commands.start(["rollback", "--reason", "crash drill", "--by", "attack"], env)
    if wait_for(lambda: query(commands.directory, "SELECT COUNT(*) FROM alerts") > 0, WAIT_S):
        figures.rollback_alert_s = round(time.monotonic() - started, 2)
    else:
        figures.rollback_alert_s = WAIT_S
    commands.finish(process)
    figures.rollback_return_s = round(time.monotonic() - started, 2)
    drain = "SELECT COUNT(*) FROM rollback_events WHERE action = 'rollback' AND drain_ms < 300000"
    figures.rollback_drained = query(commands.directory, drain) == 1


def workers_of(parent: int) -> list[int]:
    """The process-pool workers `parent` started (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (an exited worker its new parent has not reaped yet is a zombie: gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_jobs(commands: Commands, figures: Figures) -> None:
    """kill -9 `eros generate --all --jobs 2` once both workers are generating; count the survivors."""
    before = unfinished(commands.directory)
    process = commands.start(["generate", "--all", "--jobs", "2"], environment(commands.directory, NOW))
    workers: list[int] = []

    def both_working() -> bool:
        workers[:] = workers_of(process.pid)
        return len(workers) == 2 and unfinished(commands.directory) >= before + 2

    wait_for(both_working, WAIT_S)
    figures.workers_at_kill = len(workers)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    wait_for(lambda: not any(alive(pid) for pid in workers), ORPHAN_WAIT_S)
    figures.leftover_workers = sum(alive(pid) for pid in workers)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of its group goes now
    commands.finish(process)


def attack(directory: Path) -> Figures:
    figures = Figures()
    commands = Commands(directory)
    commands.run(["db", "init", "--sample"], environment(directory, NOW))
    kill_run_all(commands, figures)
    measure_stuck(commands, figures)
    rollback_after_the_crash(commands, figures)
    kill_jobs(commands, figures)
    figures.tracebacks = commands.tracebacks
    return figures


def table(figures: Figures) -> str:
    lease = int(DEFAULT_SLO.run_lease.total_seconds())
    rows = [
        ("kill -9 eros run --all", "attempts to land the kill mid-run", figures.kill_attempts, ""),
        ("", "runs in flight right after the kill", figures.in_flight_at_kill, "≥ 1"),
        ("", f"in flight 1 s before the {lease} s lease ends", figures.in_flight_before_lease_end, "≥ 1"),
        ("", "stuck in flight once the lease ended", figures.stuck_runs, "0"),
        ("", "abandoned rows (kept, never in flight)", figures.abandoned_runs, ""),
        ("eros rollback after it", "seconds to the alert", figures.rollback_alert_s, "< return"),
        ("", "seconds until it returned (3 s of lease left)", figures.rollback_return_s, ""),
        ("", "drain ended within its bound", figures.rollback_drained, "True"),
        ("kill -9 generate --jobs 2", "workers running at the kill", figures.workers_at_kill, "2"),
        ("", "workers left after the kill", figures.leftover_workers, "0"),
        ("every command", "tracebacks", figures.tracebacks, "0"),
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    header = ("attack", "measure", "value", "must be")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    lines = [
        " | ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)) for row in (header, *rows)
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args()
    if not Path("/proc/self/stat").exists():
        print("skipped: needs Linux /proc to find the worker processes")
        return 0
    with tempfile.TemporaryDirectory(prefix="eros-crash-") as directory:
        figures = attack(Path(directory))
    if args.json:
        print(json.dumps({**asdict(figures), "failures": figures.failures}))
    else:
        print(table(figures))
        for failure in figures.failures:
            print(f"FAILED: {failure}")
    return 1 if figures.failures else 0


if __name__ == "__main__":
    sys.exit(main())
