"""`eros shadow report` per-creator rows, `--deliver` once per day and `eros watch` after midnight."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alert_support import local_receiver
from eros.cli.app import _register
from eros.control.shadow_diff import Comparison
from eros.db.engine import make_engine
from eros.db.rollout_repo import RolloutRepository
from support import clear_flag_variables, cli, cli_error_code, cli_ok

NOW = "2026-01-04T00:30:00Z"
DAY = "2026-01-03"


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local Slack-compatible receiver; its URL carries a secret path that must never be printed."""
    with local_receiver("/services/T0/B0/xoxb-s3cr3t-path") as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def _cli(
    sample_db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    webhook: tuple[str, list[dict[str, Any]]],
) -> Path:
    target = tmp_path / "eros.db"
    shutil.copyfile(sample_db_path, target)
    monkeypatch.setenv("EROS_DB_PATH", str(target))
    monkeypatch.setenv("EROS_NOW", NOW)
    monkeypatch.setenv("EROS_SLACK_WEBHOOK_URL", webhook[0])
    clear_flag_variables(monkeypatch)
    _register()
    engine = make_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        repo = RolloutRepository(conn)
        for creator, v5_quality, gates in (("alexia", 86.5, 0), ("luna_free", 91.0, 2)):
            comparison = Comparison(
                creator_id=creator,
                week_start="2026-01-05",
                created_at=f"{DAY}T08:00:00Z",
                outcome="matched" if not gates else "mismatched",
                v4_quality=88.0,
                v5_quality=v5_quality,
                quality_diff=round(v5_quality - 88.0, 4),
                v4_hard_gate_violations=0,
                v5_hard_gate_violations=gates,
                revenue_diff=-3.25,
            )
            repo.insert_comparison(comparison.row())
    engine.dispose()
    return target


def test_plain_report_has_a_row_per_creator() -> None:
    out = cli_ok("shadow", "report", "--day", DAY)
    assert "Per creator" in out
    alexia = next(line for line in out.splitlines() if "alexia" in line)
    assert all(cell in alexia for cell in ("matched", "88.0", "86.5", "-1.5", "-3.2", "0/0"))
    luna = next(line for line in out.splitlines() if "luna_free" in line)
    assert all(cell in luna for cell in ("mismatched", "91.0", "+3.0", "0/2"))


def test_deliver_sends_once_and_never_prints_the_webhook(webhook: tuple[str, list[dict[str, Any]]]) -> None:
    url, received = webhook
    out = cli_ok("shadow", "report", "--deliver", "--day", DAY)
    assert f"shadow report {DAY} delivered: log:ok, webhook:ok" in out
    assert len(received) == 1 and "luna_free: mismatched" in received[0]["text"]
    again = cli_ok("shadow", "report", "--deliver", "--day", DAY)
    assert "already delivered, not sent again" in again
    assert len(received) == 1
    assert url not in out + again and "s3cr3t" not in out + again
    document = json.loads(cli("shadow", "report", "--deliver", "--json", "--day", DAY).stdout)
    assert document["delivery"] == {"status": "already_delivered", "sinks": {}}


def test_deliver_refuses_a_day_not_over() -> None:
    assert cli_error_code("shadow", "report", "--deliver", "--day", "2026-01-04") == "SHADOW_DAY_NOT_OVER"


def test_watch_delivers_yesterdays_report_once(webhook: tuple[str, list[dict[str, Any]]]) -> None:
    _, received = webhook
    out = cli_ok("watch", "--iterations", "1")
    assert f"shadow report {DAY} delivered: log:ok, webhook:ok" in out
    assert "delivered" not in cli_ok("watch", "--iterations", "1")
    assert len(received) == 1
    assert "already delivered" in cli_ok("shadow", "report", "--deliver")
