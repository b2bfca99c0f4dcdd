"""The daily shadow report delivered through the alert sinks: once per day, never a page, never open."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from alert_support import WEBHOOK, SinkRecorder, alerting_container
from eros.bootstrap import Container, alert_manager
from eros.clock import FixedClock
from eros.control.shadow_diff import Comparison
from eros.errors import ErosError
from eros.services.alerting import AlertManager
from eros.services.shadow import DeliveryStatus, deliver_shadow_report, report_episode

NOW = "2026-01-04T00:05:00Z"  # five minutes after midnight UTC: 2026-01-03 is over


@pytest.fixture
def container(empty_db: Engine, tmp_path: Path) -> Container:
    return alerting_container(empty_db, tmp_path, NOW)


@pytest.fixture
def recorder() -> SinkRecorder:
    return SinkRecorder()


@pytest.fixture
def alerts(container: Container, recorder: SinkRecorder) -> AlertManager:
    return alert_manager(container, transport=httpx.MockTransport(recorder))


def compare(container: Container, creator: str, at: str, *, v5_quality: float, outcome: str) -> None:
    comparison = Comparison(
        creator_id=creator,
        week_start="2026-01-05",
        created_at=at,
        outcome=outcome,
        v4_quality=90.0,
        v5_quality=v5_quality,
        quality_diff=round(v5_quality - 90.0, 4),
        v4_hard_gate_violations=0,
        v5_hard_gate_violations=1,
        revenue_diff=12.5,
    )
    with container.uow() as uow:
        uow.rollout.insert_comparison(comparison.row())
        uow.commit()


async def test_a_finished_day_is_delivered_once_to_the_channel_and_never_pages(
    container: Container, alerts: AlertManager, recorder: SinkRecorder
) -> None:
    compare(container, "alexia", "2026-01-03T09:00:00Z", v5_quality=88.0, outcome="matched")
    compare(container, "luna_free", "2026-01-03T23:59:59Z", v5_quality=80.0, outcome="mismatched")
    compare(container, "aria", "2026-01-04T00:01:00Z", v5_quality=70.0, outcome="matched")  # today's

    delivery = await deliver_shadow_report(container.uow, container.clock, alerts)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.report.day.isoformat() == "2026-01-03"
    assert delivery.sinks == {"log": True, "webhook": True}
    assert [url for url, _ in recorder.requests] == [WEBHOOK], "INFO: the channel, never PagerDuty"
    text = recorder.requests[0][1]["text"]
    assert text.startswith("[INFO] SHADOW_DAILY_REPORT: Shadow comparisons 2026-01-03: 2 compared")
    assert "- alexia: matched; quality v4 90.0 v5 88.0 (diff -2.0); revenue diff +12.5" in text
    assert "- luna_free: mismatched; quality v4 90.0 v5 80.0 (diff -10.0)" in text
    assert "aria" not in text, "another day's comparison"
    assert delivery.summary() == "shadow report 2026-01-03 delivered: log:ok, webhook:ok"

    again = await deliver_shadow_report(container.uow, container.clock, alerts, "2026-01-03")
    assert again.status is DeliveryStatus.ALREADY_DELIVERED
    assert len(recorder.requests) == 1, "a day delivered is not sent again"
    with container.uow() as uow:
        assert uow.ops.alert_rows(open_only=True) == [], "a report is no open alert"
        (row,) = uow.ops.alert_rows()
    assert (row["code"], row["severity"], row["episode_key"]) == (
        "SHADOW_DAILY_REPORT",
        "INFO",
        report_episode(delivery.report.day),
    )


async def test_the_next_day_is_a_new_delivery_and_an_empty_day_sends_nothing(
    container: Container, alerts: AlertManager, recorder: SinkRecorder
) -> None:
    clock = container.clock
    assert isinstance(clock, FixedClock)
    empty = await deliver_shadow_report(container.uow, clock, alerts)
    assert empty.status is DeliveryStatus.NO_COMPARISONS and recorder.requests == []

    compare(container, "alexia", "2026-01-04T10:00:00Z", v5_quality=91.0, outcome="matched")
    clock.advance(timedelta(days=1))
    first = await deliver_shadow_report(container.uow, clock, alerts)
    assert (first.status, first.report.day.isoformat()) == (DeliveryStatus.DELIVERED, "2026-01-04")
    assert len(recorder.requests) == 1


async def test_a_day_not_over_is_refused(container: Container, alerts: AlertManager) -> None:
    with pytest.raises(ErosError) as refused:
        await deliver_shadow_report(container.uow, container.clock, alerts, "2026-01-04")
    assert refused.value.code == "SHADOW_DAY_NOT_OVER"
