"""Rollback and restore of v5 (rollout plan "Rollback Procedures", runbook §5 and §7).

The procedure: pause (state `draining`: every new decision goes to v4) → alert (at once, so
neither a slow drain nor a crash's leftover runs delay the page) → drain (in-flight v5 runs
finish on v5, while their leases last and at most the drain timeout) → verify (fresh routing
decisions are v4) → disable (state `disabled`, persisted in one transaction with its history
row: reason, initiator, metrics snapshot, drain time) → log. The state is a database row (D4), so every
process routes to v4 at its next decision; the environments this controller is given (the
process's own, the settings' copy) get `EROS_V5_ENABLED=false` too, as the runbook's
post-rollback check expects. Restoring needs the exact confirmation string.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eros.clock import Clock, iso_z, parse_instant
from eros.control.flags import ENABLED, FlagValues, RollbackState
from eros.control.leases import drain_died
from eros.control.routing import Pipeline, decide_route
from eros.control.slo import AlertCode, SLOConfig
from eros.errors import ErosError, InvalidInput
from eros.ports import Sleep, UnitOfWork, UnitOfWorkFactory
from eros.services.monitor import PipelineMonitor

__all__ = ["RESTORE_CONFIRMATION", "RollbackController", "RollbackResult", "RollbackState"]

logger = logging.getLogger("eros.rollback")

RESTORE_CONFIRMATION = "RESTORE_V5_CONFIRMED"
#: Creators the verify step routes (runbook §5 "Post-Rollback Verification").
VERIFY_CREATORS = ("alexia", "test1", "test2")
#: The width of the reason columns of rollback_state and rollback_events.
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class RollbackResult:
    success: bool
    action: str
    reason: str
    initiator: str
    automatic: bool
    state_before: str
    state_after: str
    at: str
    message: str = ""
    drain_ms: float = 0.0
    in_flight_at_start: int = 0
    drained: bool = True
    verified: bool | None = None
    metrics: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def unchanged(
        cls, action: str, state: str, *, reason: str, initiator: str, automatic: bool, at: str, message: str
    ) -> RollbackResult:
        """A refused move: the state stays what it was and nothing is recorded."""
        return cls(False, action, reason, initiator, automatic, state, state, at, message)


def _one_line(reason: str) -> str:
    """A reason as the history stores it: one line, at most the column's width."""
    return " ".join(reason.split())[:MAX_REASON]


class RollbackController:
    """Automatic and manual rollback, restore, and their history.

    `read_flags` re-reads the flag state (the verify step routes by it); `environs` are the
    environments the kill switch is mirrored into.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        monitor: PipelineMonitor,
        read_flags: Callable[[], FlagValues],
        environs: Sequence[MutableMapping[str, str]],
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.monitor = monitor
        self.read_flags = read_flags
        self.environs = environs
        self.sleep = sleep

    @property
    def state(self) -> RollbackState:
        with self.uow() as uow:
            row = uow.ops.rollback_state_row()
        return RollbackState(row["state"]) if row is not None else RollbackState.ACTIVE

    def get_history(self, limit: int = 50) -> list[dict[str, Any]]:
        """Rollbacks and restores, newest first, with their metrics snapshots."""
        with self.uow() as uow:
            rows = uow.ops.rollback_event_rows(limit=limit)
        history = []
        for row in rows:
            event = dict(row)
            event["metrics"] = json.loads(event.pop("metrics_json") or "{}")
            history.append(event)
        return history

    async def check_auto_rollback(self) -> RollbackResult | None:
        """The periodic check: roll back when any automatic trigger fires and v5 is active."""
        if self.state is not RollbackState.ACTIVE:
            return None
        fire, reason = self.monitor.should_rollback()
        if not fire:
            return None
        logger.critical("automatic rollback triggered: %s", reason)
        result = await self.execute_rollback(reason, initiator="auto", automatic=True)
        return result if result.success else None

    async def execute_rollback(
        self, reason: str, *, initiator: str = "operator", automatic: bool = False
    ) -> RollbackResult:
        """Run the whole procedure; a second concurrent rollback finds the state taken and stops
        (unless the rollback holding it died mid-drain: then this one finishes it)."""
        reason = _one_line(reason)
        if not reason:
            raise InvalidInput("A rollback needs a reason (it goes into the history)", code="REASON_REQUIRED")
        clock = self.clock
        at = iso_z(clock.now())
        snapshot = self.monitor.get_status()
        with self.uow() as uow:
            before = _pause(
                uow, initiator=initiator, at=at, reason=reason, now=clock.now(), slo=self.monitor.slo
            )
            uow.commit()
        if before is None:
            state = self.state
            return RollbackResult.unchanged(
                "rollback",
                state,
                reason=reason,
                initiator=initiator,
                automatic=automatic,
                at=at,
                message=f"v5 is already {state}; nothing to do",
            )
        self._set_process_kill_switch(True)
        logger.warning("rollback paused v5 (new runs go to v4): %s", reason)
        code = AlertCode.V5_AUTO_ROLLBACK if automatic else AlertCode.V5_MANUAL_ROLLBACK
        await self.monitor.alerts.raise_alert(  # before the drain: a crash's leftovers never delay it
            code, f"[ROLLBACK] v5 disabled. Reason: {reason}. Initiator: {initiator}.", metrics=snapshot
        )

        in_flight = self.monitor.in_flight("v5")
        budget = self.monitor.drain_budget("v5").total_seconds()
        started = clock.monotonic()
        remaining = in_flight
        while remaining > 0 and clock.monotonic() - started < budget:
            await self.sleep(self.monitor.slo.drain_poll.total_seconds())
            remaining = self.monitor.in_flight("v5")
        drain_ms = (clock.monotonic() - started) * 1000
        if remaining:
            logger.error("drain stopped after %.0f s with %d v5 runs still in flight", budget, remaining)

        verified = self._verify_v4()  # draining already routes every decision to v4
        result = RollbackResult(
            success=True,
            action="rollback",
            reason=reason,
            initiator=initiator,
            automatic=automatic,
            state_before=before,
            state_after=RollbackState.DISABLED,
            at=at,
            message="v5 disabled; every new run goes to v4",
            drain_ms=drain_ms,
            in_flight_at_start=in_flight,
            drained=remaining == 0,
            verified=verified,
            metrics=snapshot,
        )
        with self.uow() as uow:
            uow.ops.set_rollback_state(
                RollbackState.DISABLED, actor=initiator, at=iso_z(clock.now()), reason=reason
            )
            _record(uow, result)
            uow.commit()
        logger.critical(
            "ROLLBACK v5 disabled by %s (automatic=%s, drained %d in %.0f ms): %s",
            initiator,
            automatic,
            in_flight,
            drain_ms,
            reason,
        )
        if not verified:
            logger.critical("rollback verification failed: a creator still routes to v5")
        return result

    async def restore_v5(
        self, confirmation: str, *, initiator: str = "operator", reason: str = "v5 restored"
    ) -> RollbackResult:
        """Runbook §7: back to `active` only with the exact confirmation string."""
        if confirmation != RESTORE_CONFIRMATION:
            raise ErosError(
                f"Restore refused: pass the confirmation {RESTORE_CONFIRMATION!r} exactly",
                code="RESTORE_NOT_CONFIRMED",
            )
        reason = _one_line(reason) or "v5 restored"
        at = iso_z(self.clock.now())
        before = self.state
        if before is RollbackState.ACTIVE:
            return RollbackResult.unchanged(
                "restore",
                before,
                reason=reason,
                initiator=initiator,
                automatic=False,
                at=at,
                message="v5 is already active; nothing to restore (nothing recorded)",
            )
        result = RollbackResult(
            success=True,
            action="restore",
            reason=reason,
            initiator=initiator,
            automatic=False,
            state_before=before,
            state_after=RollbackState.ACTIVE,
            at=at,
            message="v5 active again; routing follows the flags",
        )
        with self.uow() as uow:
            uow.ops.set_rollback_state(RollbackState.ACTIVE, actor=initiator, at=at, reason=reason)
            _record(uow, result)
            uow.commit()
        self._set_process_kill_switch(False)
        for code in (AlertCode.V5_AUTO_ROLLBACK, AlertCode.V5_MANUAL_ROLLBACK):
            await self.monitor.alerts.resolve(code)
        logger.warning("v5 restored by %s (was %s): %s", initiator, before, reason)
        return result

    def _set_process_kill_switch(self, on: bool) -> None:
        """Mirror the state into the given environments (D4): the process's and the settings' copy."""
        for environ in self.environs:
            if on:
                environ[ENABLED] = "false"
            elif environ.get(ENABLED, "").strip().lower() == "false":
                del environ[ENABLED]

    def _verify_v4(self) -> bool:
        values = self.read_flags()
        return all(decide_route(c, values).pipeline is Pipeline.V4 for c in VERIFY_CREATORS)


def _pause(
    uow: UnitOfWork, *, initiator: str, at: str, reason: str, now: datetime, slo: SLOConfig
) -> RollbackState | None:
    """Set `draining` (compare-and-set from `active`, or from a `draining` whose rollback died
    mid-drain); the state it took over, or None when another rollback holds it."""
    if uow.ops.set_rollback_state(
        RollbackState.DRAINING, actor=initiator, at=at, reason=reason, expect=RollbackState.ACTIVE
    ):
        return RollbackState.ACTIVE
    row = uow.ops.rollback_state_row()
    if row is None or row["state"] != RollbackState.DRAINING:
        return None
    if not drain_died(parse_instant(str(row["updated_at"])), now, slo):
        return None
    logger.warning("taking over the rollback paused at %s, which died mid-drain", row["updated_at"])
    taken = uow.ops.set_rollback_state(
        RollbackState.DRAINING,
        actor=initiator,
        at=at,
        reason=reason,
        expect=RollbackState.DRAINING,
        expect_updated_at=str(row["updated_at"]),
    )
    return RollbackState.DRAINING if taken else None


def _record(uow: UnitOfWork, result: RollbackResult) -> None:
    """The history row of a rollback or restore, written with its state change."""
    uow.ops.insert_rollback_event(
        {
            "at": result.at,
            "action": result.action,
            "reason": result.reason,
            "initiator": result.initiator,
            "automatic": result.automatic,
            "metrics_json": json.dumps(result.metrics, sort_keys=True, default=str),
            "drain_ms": round(result.drain_ms, 3),
            "in_flight_at_start": result.in_flight_at_start,
            "state_before": str(result.state_before),
            "state_after": str(result.state_after),
            "verified": result.verified,
        },
    )
