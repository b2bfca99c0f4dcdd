"""Alerts: stored once per episode, then delivered to the sinks behind `eros.ports.AlertSink`.

Each delivery is retried with backoff and its outcome (attempts, delivered, last error) is a
row in alert_deliveries, so a failed page is visible in `eros alerts list` instead of lost.
Which sinks exist is the composition root's choice (`eros.bootstrap.alert_manager`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from eros.clock import Clock, iso_z
from eros.control.alerts import Alert
from eros.control.slo import ALERT_DEFINITIONS, AlertCode, sinks_for
from eros.errors import ErosError
from eros.ports import AlertDeliveryFailed, AlertSink, Sleep, UnitOfWorkFactory

logger = logging.getLogger("eros.monitoring")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    backoff: timedelta = timedelta(seconds=1)  # doubled after each failed attempt

    def retrying(self, sleep: Sleep) -> AsyncRetrying:
        """tenacity's loop for one delivery: `attempts` tries of a sink that may fail and pass."""
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff.total_seconds()),
            retry=retry_if_exception_type(AlertDeliveryFailed),
            sleep=sleep,
            reraise=True,
        )


DEFAULT_RETRY = RetryPolicy()


class AlertNotFound(ErosError):
    code = "ALERT_NOT_FOUND"


def acknowledge_alert(uow: UnitOfWorkFactory, clock: Clock, alert_id: int, *, by: str) -> Alert:
    """Mark an alert seen by `by` (on call). Idempotent: a second acknowledgement changes nothing
    and answers the first one's who and when. ALERT_NOT_FOUND for an unknown id."""
    with uow() as work:
        row = work.ops.acknowledge_alert(alert_id, by=by, at=iso_z(clock.now()))
        if row is None:
            raise AlertNotFound(f"there is no alert {alert_id} (eros alerts list shows them)")
        work.commit()
    alert = Alert.from_row(row)
    logger.info(
        "alert %d (%s) acknowledged by %s at %s",
        alert.id,
        alert.code,
        alert.acknowledged_by,
        alert.acknowledged_at,
    )
    return alert


class AlertManager:
    """Raises alerts once per episode (an open alert with the same key absorbs repeats)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        sinks: Sequence[AlertSink],
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.uow = uow
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
        alert = self._store(code, message, episode_key or str(code), metrics, notice=False)
        if alert is not None:
            await self.deliver(alert)
        return alert

    async def notify_once(
        self, code: AlertCode, message: str, *, episode_key: str, metrics: dict[str, Any] | None = None
    ) -> Alert | None:
        """Store and deliver a notice (a report, not a condition): recorded as over at once, so it is
        never an open alert, and sent once per `episode_key` ever; None when that key was sent."""
        alert = self._store(code, message, episode_key, metrics, notice=True)
        if alert is not None:
            await self.deliver(alert)
        return alert

    def _store(
        self, code: AlertCode, message: str, key: str, metrics: dict[str, Any] | None, *, notice: bool
    ) -> Alert | None:
        """Insert the alert unless its episode is open (a notice: unless its key was ever used)."""
        severity = ALERT_DEFINITIONS[code].severity
        at = iso_z(self.clock.now())
        with self.uow() as uow:
            if (uow.ops.episode_alert(key) if notice else uow.ops.open_alert(key)) is not None:
                return None
            alert_id = uow.ops.insert_alert(
                code=str(code),
                severity=str(severity),
                message=message,
                episode_key=key,
                at=at,
                metrics=metrics,
            )
            if notice:
                uow.ops.resolve_alert(alert_id, at=at)
            uow.commit()
        return Alert(alert_id, str(code), severity, message, key, at, metrics=metrics or {})

    async def resolve(self, episode_key: str) -> Alert | None:
        """Close the open episode (the next breach is a new alert) and tell the sinks it ended."""
        at = iso_z(self.clock.now())
        with self.uow() as uow:
            row = uow.ops.open_alert(episode_key)
            if row is None:
                return None
            uow.ops.resolve_alert(row["id"], at=at)
            uow.commit()
        alert = replace(Alert.from_row(row), resolved_at=at)
        await self.deliver(alert)
        return alert

    async def deliver(self, alert: Alert) -> None:
        wanted = sinks_for(alert.code, alert.severity)
        for sink in self.sinks:
            if sink.name in wanted:
                await self._deliver_one(sink, alert)

    async def _deliver_one(self, sink: AlertSink, alert: Alert) -> None:
        error: str | None = None
        retrying = self.retry.retrying(self.sleep)
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        await sink.send(alert)
                    except AlertDeliveryFailed as exc:
                        number = attempt.retry_state.attempt_number
                        logger.warning(
                            "alert %s to %s failed (attempt %d): %s", alert.code, sink.name, number, exc
                        )
                        raise
        except AlertDeliveryFailed as exc:
            error = str(exc)
        attempt = retrying.statistics["attempt_number"]
        with self.uow() as uow:
            uow.ops.record_delivery(
                alert_id=alert.id,
                sink=sink.name,
                attempts=attempt,
                delivered=error is None,
                last_error=error,
                at=iso_z(self.clock.now()),
            )
            uow.commit()
        if error is not None:
            logger.error("alert %s not delivered to %s after %d attempts", alert.code, sink.name, attempt)

    def list_alerts(self, *, limit: int = 20, open_only: bool = False) -> list[Alert]:
        with self.uow() as uow:
            return [Alert.from_row(row) for row in uow.ops.alert_rows(limit=limit, open_only=open_only)]
