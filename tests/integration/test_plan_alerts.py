"""The plan's Key Metrics alerts through the monitor: once per episode, resolved, delivered like the six."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from alert_support import PAGERDUTY, SinkRecorder, alerting_container
from eros.bootstrap import Container, alert_manager
from eros.clock import FixedClock, iso_z
from eros.control.shadow_diff import Comparison
from eros.control.slo import AlertCode
from eros.services.monitor import PipelineMonitor
from eros.services.pipeline_run import PipelineResult, phase_metrics

NOW = "2026-01-04T12:00:00Z"


@pytest.fixture
def container(empty_db: Engine, tmp_path: Path) -> Container:
    return alerting_container(empty_db, tmp_path, NOW)


@pytest.fixture
def recorder() -> SinkRecorder:
    return SinkRecorder()


@pytest.fixture
def monitor(container: Container, recorder: SinkRecorder) -> PipelineMonitor:
    alerts = alert_manager(container, transport=httpx.MockTransport(recorder))
    return PipelineMonitor(container.uow, container.clock, alerts=alerts)


def record(monitor: PipelineMonitor, n: int, *, success: bool = True, quality: float = 85.0) -> None:
    for i in range(n):
        outcome = PipelineResult(
            success=success,
            creator_id=f"c{i}",
            week_start="2026-01-05",
            pipeline="v5",
            quality_score=quality if success else None,
            errors=[] if success else ["generator failed"],
            metrics={"total": phase_metrics("total", 30_000, 4)},
        )
        monitor.record_execution(outcome, duration_ms=30_000)


def compare(container: Container, n: int, diff: float) -> None:
    with container.uow() as uow:
        for i in range(n):
            comparison = Comparison(
                creator_id=f"c{i}",
                week_start="2026-01-05",
                created_at=iso_z(container.clock.now()),
                outcome="matched",
                v4_quality=90.0,
                v5_quality=90.0 + diff,
                quality_diff=diff,
                v4_hard_gate_violations=0,
                v5_hard_gate_violations=0,
            )
            uow.rollout.insert_comparison(comparison.row())
        uow.commit()


def codes(raised: list[Any]) -> set[str]:
    return {alert.code for alert in raised}


async def test_success_at_95_percent_raises_nothing_below_it_the_plans_warning(
    monitor: PipelineMonitor, recorder: SinkRecorder
) -> None:
    record(monitor, 19)
    record(monitor, 1, success=False)  # 19/20 = 95 %
    assert await monitor.evaluate_alerts() == []
    record(monitor, 1, success=False)  # 19/21 = 90.5 %: below the plan's 95 %, above the runbook's 90 %
    assert codes(await monitor.evaluate_alerts()) == {AlertCode.V5_SUCCESS_BELOW_PLAN}
    assert recorder.texts() == [
        "[WARNING] V5_SUCCESS_BELOW_PLAN: V5_SUCCESS_BELOW_PLAN: v5 success 90.5%, p95 30.0s, "
        "hard-gate rate 0.0%, quality avg 85.0 over 21 runs"
    ]
    assert recorder.texts(PAGERDUTY) == [], "a WARNING never pages"


async def test_quality_episode_raises_once_resolves_and_raises_again(
    monitor: PipelineMonitor, container: Container, recorder: SinkRecorder
) -> None:
    clock = container.clock
    assert isinstance(clock, FixedClock)
    record(monitor, 5, quality=80.0)
    assert await monitor.evaluate_alerts() == []
    record(monitor, 5, quality=79.8)  # average 79.9
    assert codes(await monitor.evaluate_alerts()) == {AlertCode.V5_QUALITY_LOW}
    record(monitor, 1, quality=10.0)
    assert await monitor.evaluate_alerts() == [], "the open episode absorbs the repeat"
    assert monitor.get_status()["open_alerts"] == [AlertCode.V5_QUALITY_LOW]

    clock.advance(timedelta(hours=2))
    record(monitor, 5, quality=95.0)  # back in range: the episode ends
    assert await monitor.evaluate_alerts() == []
    assert monitor.get_status()["open_alerts"] == []
    record(monitor, 10, quality=50.0)
    assert codes(await monitor.evaluate_alerts()) == {AlertCode.V5_QUALITY_LOW}, "a new episode"
    webhook = recorder.texts()
    assert [text.split(":")[0] for text in webhook] == [
        "[WARNING] V5_QUALITY_LOW",
        "[RESOLVED] V5_QUALITY_LOW at 2026-01-04T14",
        "[WARNING] V5_QUALITY_LOW",
    ]


async def test_shadow_diff_at_minus_5_raises_nothing_below_it_one_warning(
    monitor: PipelineMonitor, container: Container, recorder: SinkRecorder
) -> None:
    clock = container.clock
    assert isinstance(clock, FixedClock)
    compare(container, 5, -5.0)
    assert await monitor.evaluate_alerts() == []
    compare(container, 5, -5.2)  # mean -5.1
    raised = await monitor.evaluate_alerts()
    assert codes(raised) == {AlertCode.V5_SHADOW_DIFF_LOW}
    assert raised[0].metrics["quality_diff_avg"] == -5.1
    assert await monitor.evaluate_alerts() == []
    assert recorder.texts() == [
        "[WARNING] V5_SHADOW_DIFF_LOW: V5_SHADOW_DIFF_LOW: mean shadow quality diff v5 − v4 -5.1 "
        "over 10 comparisons"
    ]
    clock.advance(timedelta(hours=2))  # the comparisons left the window: the episode ends
    assert await monitor.evaluate_alerts() == []
    assert recorder.texts()[-1].startswith("[RESOLVED] V5_SHADOW_DIFF_LOW")
