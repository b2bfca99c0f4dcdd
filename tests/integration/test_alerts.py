"""Alert sinks: Slack-compatible webhook and PagerDuty Events v2 payloads, retries, recorded failures."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from alert_support import local_receiver
from eros.bootstrap import Container, alert_manager, bootstrap
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.control.slo import AlertCode
from eros.db import ops_repo
from eros.services.alerting import AlertManager, RetryPolicy
from support import database_env

NOW = "2026-01-04T12:00:00Z"
WEBHOOK = "https://hooks.example.test/T000/B000"
PAGERDUTY = "https://events.example.test/v2/enqueue"


def make_container(engine: Engine, tmp_path: Path, webhook: str = WEBHOOK) -> Container:
    settings = load_settings(
        {
            **database_env(engine),
            "EROS_SLACK_WEBHOOK_URL": webhook,
            "EROS_PAGERDUTY_ROUTING_KEY": "R0UT1NGKEY",
            "EROS_PAGERDUTY_URL": PAGERDUTY,
        }
    )
    return bootstrap(settings, FixedClock(parse_instant(NOW)), engine=engine)


class Recorder:
    """An httpx.MockTransport handler answering with the scripted statuses, then 202."""

    def __init__(self, statuses: dict[str, list[int]] | None = None) -> None:
        self.statuses = statuses or {}
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requests.append((url, json.loads(request.content)))
        script = self.statuses.get(url, [])
        return httpx.Response(script.pop(0) if script else 202, json={"status": "ok"})


@pytest.fixture
def sleeps() -> list[float]:
    return []


def manager(
    container: Container, handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float]
) -> AlertManager:
    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return alert_manager(
        container, transport=httpx.MockTransport(handler), retry=RetryPolicy(attempts=3), sleep=fake_sleep
    )


def deliveries(container: Container) -> dict[str, Any]:
    with container.engine.connect() as conn:
        return {row["sink"]: row for row in ops_repo.OpsRepository(conn).delivery_rows()}


async def test_warning_goes_to_the_webhook_only(
    empty_db: Engine, tmp_path: Path, sleeps: list[float]
) -> None:
    container = make_container(empty_db, tmp_path)
    recorder = Recorder()
    alert = await manager(container, recorder, sleeps).raise_alert(
        AlertCode.V5_SUCCESS_LOW, "v5 success 88.0%", metrics={"success_rate": 0.88}
    )
    assert alert is not None
    assert [url for url, _ in recorder.requests] == [WEBHOOK]
    body = recorder.requests[0][1]
    assert body["text"] == "[WARNING] V5_SUCCESS_LOW: v5 success 88.0%"
    assert "Investigate" in body["blocks"][0]["text"]["text"]
    assert set(deliveries(container)) == {"log", "webhook"}


async def test_critical_pages_pagerduty_with_an_events_v2_trigger(
    empty_db: Engine, tmp_path: Path, sleeps: list[float]
) -> None:
    container = make_container(empty_db, tmp_path)
    recorder = Recorder()
    await manager(container, recorder, sleeps).raise_alert(
        AlertCode.V5_LATENCY_CRITICAL, "p95 200.0s", metrics={"p95_latency_s": 200.0}
    )
    pages = [body for url, body in recorder.requests if url == PAGERDUTY]
    assert len(pages) == 1
    page = pages[0]
    assert (page["routing_key"], page["event_action"], page["dedup_key"]) == (
        "R0UT1NGKEY",
        "trigger",
        "eros:V5_LATENCY_CRITICAL",
    )
    assert page["payload"]["severity"] == "critical"
    assert page["payload"]["summary"] == "V5_LATENCY_CRITICAL: p95 200.0s"
    assert page["payload"]["source"] == "eros" and page["payload"]["timestamp"] == NOW
    assert page["payload"]["custom_details"] == {"p95_latency_s": 200.0}
    assert all(row["delivered"] for row in deliveries(container).values())


async def test_failed_delivery_is_retried_with_backoff(
    empty_db: Engine, tmp_path: Path, sleeps: list[float]
) -> None:
    container = make_container(empty_db, tmp_path)
    recorder = Recorder({WEBHOOK: [500, 503]})
    await manager(container, recorder, sleeps).raise_alert(AlertCode.V5_SUCCESS_LOW, "low")
    row = deliveries(container)["webhook"]
    assert (row["attempts"], row["delivered"], row["last_error"]) == (3, True, None)
    assert sleeps == [1.0, 2.0]


async def test_delivery_that_never_succeeds_is_recorded_as_failed(
    empty_db: Engine, tmp_path: Path, sleeps: list[float]
) -> None:
    container = make_container(empty_db, tmp_path)
    recorder = Recorder({PAGERDUTY: [500, 500, 500]})
    await manager(container, recorder, sleeps).raise_alert(AlertCode.V5_HARD_GATE_SPIKE, "gates 12%")
    rows = deliveries(container)
    assert rows["webhook"]["delivered"] and rows["webhook"]["attempts"] == 1
    failed = rows["pagerduty"]
    assert (failed["attempts"], failed["delivered"]) == (3, False)
    assert "500" in failed["last_error"]


async def test_unreachable_sink_is_retried_and_recorded(
    empty_db: Engine, tmp_path: Path, sleeps: list[float]
) -> None:
    container = make_container(empty_db, tmp_path)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    await manager(container, refuse, sleeps).raise_alert(AlertCode.V5_SUCCESS_LOW, "low")
    row = deliveries(container)["webhook"]
    assert (row["attempts"], row["delivered"]) == (3, False) and "ConnectError" in row["last_error"]


async def test_an_open_episode_absorbs_repeats(empty_db: Engine, tmp_path: Path, sleeps: list[float]) -> None:
    container = make_container(empty_db, tmp_path)
    recorder = Recorder()
    alerts = manager(container, recorder, sleeps)
    assert await alerts.raise_alert(AlertCode.V5_SUCCESS_LOW, "first") is not None
    assert await alerts.raise_alert(AlertCode.V5_SUCCESS_LOW, "again") is None
    assert len(recorder.requests) == 1
    assert await alerts.resolve(AlertCode.V5_SUCCESS_LOW) is not None
    assert await alerts.resolve(AlertCode.V5_SUCCESS_LOW) is None  # nothing open any more
    assert recorder.requests[-1][1] == {"text": f"[RESOLVED] V5_SUCCESS_LOW at {NOW}: first"}
    assert await alerts.raise_alert(AlertCode.V5_SUCCESS_LOW, "new episode") is not None
    assert [a.message for a in alerts.list_alerts()] == ["new episode", "first"]


@pytest.fixture
def flaky_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A real local HTTP receiver that fails its first request with 503, then accepts."""
    with local_receiver("/hook", failures=1) as receiver:
        yield receiver


async def test_webhook_retry_against_a_local_http_server(
    empty_db: Engine, tmp_path: Path, flaky_server: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = flaky_server
    container = make_container(empty_db, tmp_path, webhook=url)
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    alerts = AlertManager(
        container.uow, container.clock, alert_manager(container).sinks[:2], sleep=fake_sleep
    )
    await alerts.raise_alert(AlertCode.V5_SUCCESS_LOW, "through a real socket")
    assert len(received) == 2 and received[1]["text"].endswith("through a real socket")
    assert deliveries(container)["webhook"]["attempts"] == 2 and waits == [1.0]


async def test_a_resolved_critical_episode_resolves_the_pagerduty_incident(
    empty_db: Engine, tmp_path: Path, sleeps: list[float]
) -> None:
    container = make_container(empty_db, tmp_path)
    recorder = Recorder()
    alerts = manager(container, recorder, sleeps)
    await alerts.raise_alert(AlertCode.V5_HARD_GATE_SPIKE, "gates 8%")
    await alerts.resolve(AlertCode.V5_HARD_GATE_SPIKE)
    pages = [body for url, body in recorder.requests if url == PAGERDUTY]
    assert [p["event_action"] for p in pages] == ["trigger", "resolve"]
    assert pages[1] == {
        "routing_key": "R0UT1NGKEY",
        "event_action": "resolve",
        "dedup_key": pages[0]["dedup_key"],
    }
