"""A crash leaves nothing stuck: attacks/crash.py's core, run for real (kill -9 of real commands).

`eros run --all` killed mid-run: its run is in flight one second before its lease ends and not
at the end (the clock is EROS_NOW, not a sleep). `eros rollback` after the crash alerts before
it drains and drains only while the dead run's lease lasts. `eros generate --all --jobs 2`
killed: its workers go with it. Linux only (the attack reads /proc).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from support import load_attack

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


@pytest.fixture(scope="module")
def attack() -> ModuleType:
    return load_attack("crash")


@pytest.fixture(scope="module")
def figures(attack: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One run of the whole attack (about half a minute), shared by the tests below."""
    return attack.attack(tmp_path_factory.mktemp("crash"))


def test_a_killed_run_all_leaves_its_run_in_flight_only_until_the_lease_ends(figures: Any) -> None:
    assert figures.in_flight_at_kill >= 1, "the kill landed between runs every time"
    assert figures.in_flight_before_lease_end == figures.in_flight_at_kill  # one second of lease left
    assert figures.stuck_runs == 0  # at the lease's end: nothing in flight
    assert figures.abandoned_runs == figures.in_flight_at_kill


def test_the_rollback_after_a_crash_alerts_first_and_drains_only_while_the_lease_lasts(figures: Any) -> None:
    assert figures.rollback_drained
    assert figures.rollback_alert_s < figures.rollback_return_s
    assert figures.rollback_return_s < 30  # 3 s of lease left, not the 300 s drain timeout


def test_killing_generate_jobs_leaves_no_worker_behind(figures: Any) -> None:
    assert figures.workers_at_kill == 2
    assert figures.leftover_workers == 0


def test_no_command_printed_a_traceback_and_the_table_has_every_figure(
    attack: ModuleType, figures: Any
) -> None:
    assert figures.tracebacks == 0 and figures.failures == []
    rows = {cells[1]: cells[2] for line in attack.table(figures).splitlines()[2:] if (cells := _cells(line))}
    assert rows["stuck in flight once the lease ended"] == "0"
    assert rows["workers left after the kill"] == "0"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")]
