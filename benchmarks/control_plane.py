"""What the rollout control plane costs per run: a routing decision (flags re-read from the
database every time), recording a run, the status the runbook reads, and a rollback.

Prints numbers; asserts nothing. Uses a temporary SQLite file and a pinned clock.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from eros.bootstrap import bootstrap, pipeline_monitor, pipeline_router, rollback_controller
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.db.engine import create_schema, make_engine
from eros.services.pipeline_run import PipelineResult
from eros.services.routing import set_flag

NOW = "2026-01-04T12:00:00Z"


def timed(label: str, repeat: int, action: Callable[[int], object]) -> None:
    samples = []
    for i in range(repeat):
        started = time.perf_counter()
        action(i)
        samples.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(samples, n=100)[94] if len(samples) > 1 else samples[0]
    print(f"{label:<44} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms   (n={repeat})")


def main() -> None:
    logging.disable(logging.CRITICAL)  # the rollbacks' log lines are not the numbers
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "eros.db"
        clock = FixedClock(parse_instant(NOW), frozen_durations=True)
        engine = make_engine(f"sqlite:///{path}", create=True)
        create_schema(engine)
        container = bootstrap(load_settings({"EROS_DB_PATH": str(path)}), clock, engine=engine)
        set_flag(container.uow, clock.now(), "EROS_V5_ENABLED", "true", actor="bench")
        set_flag(container.uow, clock.now(), "EROS_V5_PERCENTAGE", "50", actor="bench")
        router = pipeline_router(container, auto_rollback=False)
        monitor = pipeline_monitor(container)

        timed("decide (flags + rollback state from the DB)", 500, lambda i: router.decide(f"creator_{i}"))

        def record(i: int) -> None:
            result = PipelineResult(success=i % 20 != 0, creator_id=f"c{i}", week_start="2026-01-05")
            monitor.record_execution(result, duration_ms=40_000 + i)
            clock.advance(timedelta(seconds=3))

        timed("record a run (start + finish rows)", 500, record)
        timed("get_status (windows, triggers, state)", 100, lambda i: monitor.get_status())
        timed("should_rollback (four triggers)", 100, lambda i: monitor.should_rollback())
        controller = rollback_controller(container, monitor=monitor)

        def rollback_and_restore(i: int) -> None:
            asyncio.run(controller.execute_rollback(f"bench {i}", initiator="bench"))
            asyncio.run(controller.restore_v5("RESTORE_V5_CONFIRMED", initiator="bench"))

        timed("rollback (nothing in flight) + restore", 20, rollback_and_restore)
        engine.dispose()


if __name__ == "__main__":
    main()
