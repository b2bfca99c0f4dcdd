"""Alerts: stored once per episode, then delivered to sinks behind one small interface.

Sinks (rollout plan "Escalation"): the log always; a Slack-compatible webhook
(`EROS_SLACK_WEBHOOK_URL`) for WARNING and CRITICAL; PagerDuty Events v2
(`EROS_PAGERDUTY_ROUTING_KEY`) for CRITICAL. Each delivery is retried with backoff and its
outcome (attempts, delivered, last error) is a row in alert_deliveries, so a failed page is
visible in `eros alerts list` instead of lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from sqlalchemy import Engine, RowMapping

from eros.clock import Clock, iso_z
from eros.control.slo import ALERT_DEFINITIONS, SINKS_BY_SEVERITY, AlertCode, Severity
from eros.db import ops_repo

if TYPE_CHECKING:
    from eros.bootstrap import Container

logger = logging.getLogger("eros.monitoring")

HTTP_TIMEOUT_S = 10.0
_ACTIONS = {str(code): definition.action for code, definition in ALERT_DEFINITIONS.items()}
PD_SEVERITY = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.CRITICAL: "critical"}


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    code: str
    severity: Severity
    message: str
    episode_key: str
    raised_at: str
    resolved_at: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


def alert_from_row(row: RowMapping) -> Alert:
    return Alert(
        id=row["id"],
        code=row["code"],
        severity=Severity(row["severity"]),
        message=row["message"],
        episode_key=row["episode_key"],
        raised_at=row["raised_at"],
        resolved_at=row["resolved_at"],
        metrics=json.loads(row["metrics_json"]) if row["metrics_json"] else {},
    )


class AlertSink(Protocol):
    """Delivers one alert, or its resolution when `resolved_at` is set; raises on failure
    (the manager retries and records)."""

    name: str

    async def send(self, alert: Alert) -> None: ...


class LogSink:
    name = "log"

    async def send(self, alert: Alert) -> None:
        if alert.resolved_at is not None:
            logger.info("RESOLVED %s [%s] %s", alert.code, alert.severity, alert.message)
            return
        level = logging.CRITICAL if alert.severity is Severity.CRITICAL else logging.WARNING
        logger.log(level, "ALERT %s [%s] %s", alert.code, alert.severity, alert.message)


def slack_payload(alert: Alert) -> dict[str, Any]:
    """Slack incoming-webhook shape (`text` is what every compatible receiver shows)."""
    if alert.resolved_at is not None:
        return {"text": f"[RESOLVED] {alert.code} at {alert.resolved_at}: {alert.message}"}
    action = _ACTIONS.get(alert.code, "")
    return {
        "text": f"[{alert.severity}] {alert.code}: {alert.message}",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{alert.code}* ({alert.severity}) at {alert.raised_at}\n{alert.message}\n"
                    f"Action: {action}",
                },
            }
        ],
    }


def pagerduty_payload(alert: Alert, routing_key: str) -> dict[str, Any]:
    """PagerDuty Events API v2 trigger (or resolve, once the episode ended); the episode key
    is the dedup key, so PagerDuty closes the incident the trigger opened."""
    dedup_key = f"eros:{alert.episode_key}"
    if alert.resolved_at is not None:
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup_key}
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": f"{alert.code}: {alert.message}"[:1024],
            "source": "eros",
            "severity": PD_SEVERITY[alert.severity],
            "timestamp": alert.raised_at,
            "component": "eros-v5",
            "group": "rollout",
            "class": alert.code,
            "custom_details": alert.metrics,
        },
    }


class WebhookSink:
    name = "webhook"

    def __init__(self, url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = url
        self.transport = transport

    async def send(self, alert: Alert) -> None:
        async with httpx.AsyncClient(transport=self.transport, timeout=HTTP_TIMEOUT_S) as client:
            (await client.post(self.url, json=slack_payload(alert))).raise_for_status()


class PagerDutySink:
    name = "pagerduty"

    def __init__(self, routing_key: str, url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.routing_key = routing_key
        self.url = url
        self.transport = transport

    async def send(self, alert: Alert) -> None:
        async with httpx.AsyncClient(transport=self.transport, timeout=HTTP_TIMEOUT_S) as client:
            (await client.post(self.url, json=pagerduty_payload(alert, self.routing_key))).raise_for_status()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    backoff: timedelta = timedelta(seconds=1)  # doubled after each failed attempt


class AlertManager:
    """Raises alerts once per episode (an open alert with the same key absorbs repeats)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        sinks: Sequence[AlertSink],
        *,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.sinks = list(sinks)
        self.retry = retry
        self.sleep = sleep

    async def raise_alert(
        self,
        code: AlertCode,
        message: str,
        *,
        metrics: dict[str, Any] | None = None,
        episode_key: str | None = None,
    ) -> Alert | None:
        """Store and deliver a new alert; None when its episode is already open."""
        key = episode_key or str(code)
        severity = ALERT_DEFINITIONS[code].severity
        at = iso_z(self.clock.now())
        with self.engine.begin() as conn:
            if ops_repo.OpsRepository(conn).open_alert(key) is not None:
                return None
            alert_id = ops_repo.OpsRepository(conn).insert_alert(
                code=str(code),
                severity=str(severity),
                message=message,
                episode_key=key,
                at=at,
                metrics=metrics,
            )
        alert = Alert(alert_id, str(code), severity, message, key, at, metrics=metrics or {})
        await self.deliver(alert)
        return alert

    async def resolve(self, episode_key: str) -> Alert | None:
        """Close the open episode (the next breach is a new alert) and tell the sinks it ended."""
        at = iso_z(self.clock.now())
        with self.engine.begin() as conn:
            row = ops_repo.OpsRepository(conn).open_alert(episode_key)
            if row is None:
                return None
            ops_repo.OpsRepository(conn).resolve_alert(row["id"], at=at)
        alert = replace(alert_from_row(row), resolved_at=at)
        await self.deliver(alert)
        return alert

    async def deliver(self, alert: Alert) -> None:
        wanted = SINKS_BY_SEVERITY[alert.severity]
        for sink in self.sinks:
            if sink.name in wanted:
                await self._deliver_one(sink, alert)

    async def _deliver_one(self, sink: AlertSink, alert: Alert) -> None:
        error: str | None = None
        attempt = 0
        delay = self.retry.backoff.total_seconds()
        for attempt in range(1, self.retry.attempts + 1):
            try:
                await sink.send(alert)
            except (httpx.HTTPError, OSError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                logger.warning(
                    "alert %s to %s failed (attempt %d): %s", alert.code, sink.name, attempt, error
                )
                if attempt < self.retry.attempts:
                    await self.sleep(delay)
                    delay *= 2
                continue
            error = None
            break
        with self.engine.begin() as conn:
            ops_repo.OpsRepository(conn).record_delivery(
                alert_id=alert.id,
                sink=sink.name,
                attempts=attempt,
                delivered=error is None,
                last_error=error,
                at=iso_z(self.clock.now()),
            )
        if error is not None:
            logger.error("alert %s not delivered to %s after %d attempts", alert.code, sink.name, attempt)

    def list_alerts(self, *, limit: int = 20, open_only: bool = False) -> list[Alert]:
        with self.engine.connect() as conn:
            return [
                alert_from_row(row)
                for row in ops_repo.OpsRepository(conn).alert_rows(limit=limit, open_only=open_only)
            ]


def build_alert_manager(
    container: Container, *, transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any
) -> AlertManager:
    """The log sink always; webhook and PagerDuty when configured (ARCHITECTURE §7)."""
    settings = container.settings
    sinks: list[AlertSink] = [LogSink()]
    if settings.slack_webhook_url:
        sinks.append(WebhookSink(settings.slack_webhook_url, transport))
    if settings.pagerduty_routing_key:
        sinks.append(PagerDutySink(settings.pagerduty_routing_key, settings.pagerduty_url, transport))
    return AlertManager(container.engine, container.clock, sinks, **kwargs)
