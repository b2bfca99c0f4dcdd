"""Workers on the PostgreSQL task queue: memory idle and busy, creator-weeks per hour with 1 and 2.

    .venv/bin/python benchmarks/workers.py [--creators 37,1000] [--limit K] [--pipeline v5|v4]
        [--postgres postgresql+psycopg://user@host:port]

Without --postgres it starts a throwaway server from the installed binaries (as the test suite
does, tests/databases.py). For each roster size it builds the sample once (`eros db init --sample
--creators N`, `eros worker --apply-schema`), then for 1 and 2 workers copies it (CREATE DATABASE
… TEMPLATE), enqueues the week for everyone (`eros run --all --enqueue`) and starts that many
`eros worker --until-idle` processes at once. It prints, per run: the wall time from the workers'
start to the last one's exit; the creator-weeks per hour over that wall time and over the queue's
own span (first job started → last job finished, from procrastinate_events, without start-up);
each worker's peak RSS while busy. Then the RSS of an idle worker (registered, no job).
With `--limit K` a roster larger than K stops its workers (SIGTERM: the job in hand finishes)
once K weeks are done, so the per-week cost of a large roster is measured on K of its weeks.
The weeks go through the router with every creator on v5 (the production pipeline after the
rollout; `--pipeline v4` for the legacy one, the default flags).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
EROS = str(Path(sys.executable).parent / "eros")
WEEK = "2026-01-05"
AS_OF = "2026-01-04"
NOW = "2026-01-04T12:00:00Z"
KEY = "benchmark-signing-key-not-secret"
SAMPLE_EVERY_S = 0.2


#: The routing flags of `--pipeline` (set by main).
FLAGS: dict[str, str] = {}
V5_FLAGS = {"EROS_V5_ENABLED": "true", "EROS_V5_PERCENTAGE": "100"}


def _env(url: str) -> dict[str, str]:
    drop = ("EROS_DB_PATH", "EROS_V4_RUNNER", "EROS_V5_ENABLED", "EROS_V5_PERCENTAGE", "EROS_V5_CREATORS")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    pinned = {"EROS_DB_URL": url, "EROS_SIGNING_KEY": KEY, "EROS_NOW": NOW}
    return {**env, **pinned, "EROS_LEARNINGS_PATH": "/dev/null", **FLAGS}


def _eros(url: str, *args: str) -> str:
    done = subprocess.run([EROS, *args], env=_env(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"eros {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def _admin(server: str, sql: str) -> None:
    engine = create_engine(f"{server}/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        found = [tuple(row) for row in conn.execute(text(sql))]
    engine.dispose()
    return found


def rss_mib(pid: int) -> float:
    """Resident set size of a live process, from /proc (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


@contextmanager
def server(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from databases import running_server  # noqa: PLC0415 - the test suite's server start, only here

    with running_server() as executor:
        url = f"postgresql+psycopg://{executor.user}@{executor.host}:{executor.port}"
        _until_accepting(url)
        yield url


def _until_accepting(server_url: str) -> None:
    """On a loaded machine `pg_ctl -w` may give up while the server is still recovering."""
    deadline = time.monotonic() + 300
    while True:
        try:
            _query(f"{server_url}/postgres", "SELECT 1")
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def build(server_url: str, creators: int) -> str:
    name = f"workers_{creators}_{os.getpid()}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    url = f"{server_url}/{name}"
    started = time.perf_counter()
    sample = ["--creators", str(creators)] if creators != 37 else []
    _eros(url, "db", "init", "--sample", *sample, "--as-of", AS_OF)
    _eros(url, "worker", "--apply-schema")
    print(f"built {creators} creators in {time.perf_counter() - started:.1f} s", flush=True)
    return url


def _done(url: str) -> int:
    return int(
        _query(
            url,
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'eros.plan_week' "
            "AND status = 'succeeded'",
        )[0][0]
    )


def run(server_url: str, template: str, creators: int, workers: int, limit: int | None) -> None:
    name = f"{template.rsplit('/', 1)[1]}_w{workers}"
    _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
    url = f"{server_url}/{name}"
    try:
        enqueue_started = time.perf_counter()
        _eros(url, "run", "--all", "--enqueue", "--week", WEEK)
        enqueue_s = time.perf_counter() - enqueue_started
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [EROS, "worker", "--until-idle"],
                env=_env(url),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        peak = [0.0] * workers
        stopping = False
        while any(p.poll() is None for p in procs):
            for i, p in enumerate(procs):
                peak[i] = max(peak[i], rss_mib(p.pid))
            if limit and not stopping and _done(url) >= limit:
                stopping = True  # SIGTERM: each worker finishes the job in hand, then exits 0
                for p in procs:
                    p.send_signal(signal.SIGTERM)
            time.sleep(SAMPLE_EVERY_S)
        wall = time.perf_counter() - started
        codes = [p.returncode for p in procs]
        ((done, failed),) = _query(
            url,
            "SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed') "
            "FROM procrastinate_jobs WHERE task_name = 'eros.plan_week'",
        )
        ((span,),) = _query(
            url,
            "SELECT extract(epoch FROM max(e.at) FILTER (WHERE e.type = 'succeeded') "
            "- min(e.at) FILTER (WHERE e.type = 'started')) FROM procrastinate_events e "
            "JOIN procrastinate_jobs j ON j.id = e.job_id WHERE j.task_name = 'eros.plan_week'",
        )
        schedules = _query(url, f"SELECT count(*) FROM schedules WHERE week_start = '{WEEK}'")[0][0]
        span_s = float(span or 0.0)
        per_hour_wall = int(done) / wall * 3600 if wall else 0.0
        per_hour_span = int(done) / span_s * 3600 if span_s else 0.0
        per_job = span_s * workers / int(done) if int(done) else 0.0
        print(
            f"{creators:>6} creators · {workers} worker(s): {per_job:.2f} s per creator-week per worker; "
            f"wall {wall:7.1f} s, done {done}, "
            f"failed {failed}, "
            f"schedules {schedules}, exit {codes}; {per_hour_wall:8.0f} creator-weeks/h over the wall, "
            f"{per_hour_span:8.0f}/h over the queue span ({span_s:.1f} s); "
            f"busy RSS peak {', '.join(f'{m:.0f}' for m in peak)} MiB; "
            f"enqueue of {creators} took {enqueue_s:.1f} s",
            flush=True,
        )
    finally:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def idle_rss(template: str) -> None:
    """A worker with nothing to do: its RSS once it has registered with the queue."""
    proc = subprocess.Popen(
        [EROS, "worker"], env=_env(template), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while not _query(template, "SELECT 1 FROM procrastinate_workers"):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the idle worker never registered")
            time.sleep(SAMPLE_EVERY_S)
        time.sleep(2)  # let its first periodic jobs (check, recovery) finish
        print(f"idle worker RSS {rss_mib(proc.pid):.0f} MiB", flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def main() -> None:
    argv = sys.argv[1:]
    sizes = [int(n) for n in argv[argv.index("--creators") + 1].split(",")] if "--creators" in argv else [37]
    limit = int(argv[argv.index("--limit") + 1]) if "--limit" in argv else None
    given = argv[argv.index("--postgres") + 1] if "--postgres" in argv else None
    pipeline = argv[argv.index("--pipeline") + 1] if "--pipeline" in argv else "v5"
    FLAGS.update(V5_FLAGS if pipeline == "v5" else {})
    # A TERM (or a background job's ignored INT) still drops the databases and stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"pipeline {pipeline}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with server(given) as server_url:
        for creators in sizes:
            template = build(server_url, creators)
            try:
                for workers in (1, 2):
                    run(
                        server_url, template, creators, workers, limit if limit and creators > limit else None
                    )
                if creators == sizes[0]:
                    idle_rss(template)
            finally:
                _admin(server_url, f'DROP DATABASE IF EXISTS "{template.rsplit("/", 1)[1]}" WITH (FORCE)')


if __name__ == "__main__":
    main()
