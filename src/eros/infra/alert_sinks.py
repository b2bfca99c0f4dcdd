"""The alert sinks behind `eros.ports.AlertSink` (rollout plan "Escalation").

The log always; a Slack-compatible webhook (`EROS_SLACK_WEBHOOK_URL`) for WARNING and
CRITICAL; PagerDuty Events v2 (`EROS_PAGERDUTY_ROUTING_KEY`) for CRITICAL. Which severity
goes where is `eros.control.slo.SINKS_BY_SEVERITY`; `eros.bootstrap` picks the sinks.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from eros.control.alerts import Alert
from eros.control.slo import ALERT_DEFINITIONS, Severity
from eros.ports import AlertDeliveryFailed

logger = logging.getLogger("eros.monitoring")

HTTP_TIMEOUT_S = 10.0
_ACTIONS = {str(code): definition.action for code, definition in ALERT_DEFINITIONS.items()}
LOG_LEVEL = {
    Severity.INFO: logging.INFO,
    Severity.WARNING: logging.WARNING,
    Severity.CRITICAL: logging.CRITICAL,
}
PD_SEVERITY = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.CRITICAL: "critical"}


class LogSink:
    name = "log"

    async def send(self, alert: Alert) -> None:
        if alert.resolved_at is not None:
            logger.info("RESOLVED %s [%s] %s", alert.code, alert.severity, alert.message)
            return
        logger.log(LOG_LEVEL[alert.severity], "ALERT %s [%s] %s", alert.code, alert.severity, alert.message)


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


async def _post(url: str, body: dict[str, Any], transport: httpx.AsyncBaseTransport | None) -> None:
    """POST the JSON body; a transport failure or an error status is an `AlertDeliveryFailed`."""
    try:
        async with httpx.AsyncClient(transport=transport, timeout=HTTP_TIMEOUT_S) as client:
            (await client.post(url, json=body)).raise_for_status()
    except (httpx.HTTPError, OSError) as exc:
        raise AlertDeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


class WebhookSink:
    name = "webhook"

    def __init__(self, url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = url
        self.transport = transport

    async def send(self, alert: Alert) -> None:
        await _post(self.url, slack_payload(alert), self.transport)


class PagerDutySink:
    name = "pagerduty"

    def __init__(self, routing_key: str, url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.routing_key = routing_key
        self.url = url
        self.transport = transport

    async def send(self, alert: Alert) -> None:
        await _post(self.url, pagerduty_payload(alert, self.routing_key), self.transport)
