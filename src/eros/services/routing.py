"""The router that sends each creator's week to v4, v5 or shadow, and the flag state it reads
(seed 000, D4, D7).

Flags are re-read at every decision, so a rollback or `eros flags set` made by another
process applies at the next decision. Flag state that cannot be read (database down,
malformed value) fails closed to v4. The rules themselves are pure: `eros.control.flags`
(precedence) and `eros.control.routing` (the decision and the bucket).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from eros.clock import Clock, iso_z
from eros.control.flags import (
    ACTIVE_STATE,
    FlagValues,
    flag_key,
    normalise_flag_value,
    resolve_flags,
    unreadable_flags,
)
from eros.control.routing import ROLLOUT_GROUP, Pipeline, RoutingDecision, decide_route
from eros.ports import UnitOfWorkFactory
from eros.services.edits import refuse_if_edited
from eros.services.monitor import PipelineMonitor
from eros.services.pipeline_run import PipelineResult, PipelineRunner
from eros.services.rollback import RollbackController
from eros.services.shadow import GateRecheck, ShadowComparator

logger = logging.getLogger("eros.router")


def load_flag_values(uow: UnitOfWorkFactory, environ: Mapping[str, str]) -> FlagValues:
    """Overrides and rollback state from the database, the rest from `environ`; unreadable ⇒ closed."""
    try:
        with uow() as work:
            overrides = work.ops.flag_override_values()
            row = work.ops.rollback_state_row()
    except Exception as exc:  # whatever keeps the state from being read, v5 gets no traffic
        logger.error("flag state unreadable, failing closed to v4: %s", exc)
        return unreadable_flags(exc)
    return resolve_flags(environ, overrides, row["state"] if row is not None else ACTIVE_STATE)


def unknown_creators(uow: UnitOfWorkFactory, creator_ids: Sequence[str]) -> tuple[str, ...]:
    """The ids in `creator_ids` (EROS_V5_CREATORS) that name no creator: they route nothing."""
    if not creator_ids:
        return ()
    with uow() as work:
        known = work.creators.existing_ids(creator_ids)
    return tuple(cid for cid in creator_ids if cid not in known)


@dataclass(frozen=True, slots=True)
class FlagChange:
    key: str
    old: str | None
    new: str | None


def set_flag(
    uow: UnitOfWorkFactory, now: datetime, name: str, value: str, *, actor: str, reason: str | None = None
) -> FlagChange:
    """Persist an override (with its audit row) that every process sees at its next decision."""
    key = flag_key(name)
    text = normalise_flag_value(key, value)
    with uow() as work:
        old = work.ops.set_flag_override(key, text, actor=actor, at=iso_z(now), reason=reason)
        work.commit()
    return FlagChange(key, old, text)


def unset_flag(
    uow: UnitOfWorkFactory, now: datetime, name: str, *, actor: str, reason: str | None = None
) -> FlagChange:
    """Remove an override (audited): the environment, then the seed default, applies again."""
    key = flag_key(name)
    with uow() as work:
        old = work.ops.delete_flag_override(key, actor=actor, at=iso_z(now), reason=reason)
        work.commit()
    return FlagChange(key, old, None)


class PipelineRouter:
    """Decides per creator, runs the chosen pipeline, records every run, falls back to v4 on v5 failure.

    `runners` are used as given; a pipeline without one is built by `build_runner` at its first
    run, so that a pipeline that cannot even be built fails inside a recorded run (and falls back).
    `replace_edited` must match the runners': it lets generation replace a week a person saved.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        environ: Mapping[str, str],
        *,
        monitor: PipelineMonitor,
        rollback: RollbackController,
        recheck: GateRecheck,
        runners: Mapping[str, PipelineRunner] | None = None,
        build_runner: Callable[[str], PipelineRunner] | None = None,
        group: str = ROLLOUT_GROUP,
        auto_rollback: bool = True,
        replace_edited: bool = False,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.environ = environ
        self.monitor = monitor
        self.rollback = rollback
        self.recheck = recheck
        self._runners: dict[str, PipelineRunner] = dict(runners or {})
        self._build_runner = build_runner
        self.group = group
        self.auto_rollback = auto_rollback
        self.replace_edited = replace_edited
        #: EROS_V5_CREATORS ids that name no creator, checked when the list changes (not per route).
        self.unknown_allowlisted: tuple[str, ...] = ()
        self._allowlist_checked: tuple[str, ...] | None = None

    def runner(self, pipeline: str) -> PipelineRunner:
        """The given runner, else one `build_runner` makes at the first call."""
        if pipeline in self._runners:
            return self._runners[pipeline]

        async def run(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
            if pipeline not in self._runners:
                if self._build_runner is None:
                    raise LookupError(f"no runner for pipeline {pipeline!r}")
                self._runners[pipeline] = self._build_runner(pipeline)
            return await self._runners[pipeline](creator_id, week_start, dry_run=dry_run)

        return run

    def flags(self) -> FlagValues:
        """The flag state now (re-read at every decision)."""
        return load_flag_values(self.uow, self.environ)

    def decide(self, creator_id: str) -> RoutingDecision:
        return self._decide(creator_id)[1]

    def _decide(self, creator_id: str) -> tuple[FlagValues, RoutingDecision]:
        values = self.flags()
        self._check_allowlist(values.v5_creators)
        decision = decide_route(creator_id, values, self.group)
        logger.info(
            "route creator=%s pipeline=%s reason=%s bucket=%d",
            creator_id,
            decision.pipeline.value,
            decision.reason,
            decision.bucket,
        )
        return values, decision

    def _check_allowlist(self, creator_ids: tuple[str, ...]) -> None:
        """Warn once per distinct EROS_V5_CREATORS value about ids that name no creator."""
        if creator_ids == self._allowlist_checked:
            return
        try:
            self.unknown_allowlisted = unknown_creators(self.uow, creator_ids)
        except Exception as exc:  # a warning's check never stops a routing decision; retried next time
            logger.error("could not check EROS_V5_CREATORS against the creators: %s", exc)
            return
        self._allowlist_checked = creator_ids
        if self.unknown_allowlisted:
            logger.warning(
                "EROS_V5_CREATORS names unknown creators (they route nowhere): %s",
                ", ".join(self.unknown_allowlisted),
            )

    async def route(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        """Generate the week on the pipeline the flags choose; v4's result is what shadow returns.

        A week a person saved is refused (SCHEDULE_EDITED) before any decision or run, unless the
        router was built to replace such weeks (`replace_edited`, which its runners share).
        """
        if not dry_run and not self.replace_edited:
            refuse_if_edited(self.uow, creator_id, week_start)
        values, decision = self._decide(creator_id)
        if decision.pipeline is Pipeline.SHADOW:
            comparator = ShadowComparator(
                self.uow,
                self.clock,
                v4_runner=self.runner("v4"),
                v5_runner=self.runner("v5"),
                monitor=self.monitor,
                recheck=self.recheck,
                timeout_s=values.v5_timeout_s,
            )
            return await comparator.run(creator_id, week_start, dry_run=dry_run)
        if decision.pipeline is Pipeline.V4:
            return await self.monitor.observe(
                "v4", self.runner("v4"), creator_id, week_start, dry_run=dry_run, route_reason=decision.reason
            )
        return await self._route_v5(creator_id, week_start, values, decision, dry_run=dry_run)

    async def _route_v5(
        self,
        creator_id: str,
        week_start: str,
        values: FlagValues,
        decision: RoutingDecision,
        *,
        dry_run: bool,
    ) -> PipelineResult:
        failure: Exception | None = None
        try:
            result = await self.monitor.observe(
                "v5", self.runner("v5"), creator_id, week_start, dry_run=dry_run, route_reason=decision.reason
            )
        except Exception as exc:  # any v5 fault is a v5 failure; the monitor already recorded it
            failure = exc
        await self.monitor.evaluate_alerts()
        if self.auto_rollback:
            await self.rollback.check_auto_rollback()
        if failure is None and result.success:
            return result
        reason = f"{type(failure).__name__}: {failure}" if failure is not None else "; ".join(result.errors)
        if not values.auto_fallback:
            if failure is not None:
                raise failure
            return result
        logger.warning("v5 failed for %s (%s); falling back to v4", creator_id, reason or "unsuccessful")
        fallback = await self.monitor.observe(
            "v4", self.runner("v4"), creator_id, week_start, dry_run=dry_run, route_reason="fallback"
        )
        fallback.errors.insert(0, f"v5 failed, served by v4: {reason or 'unsuccessful'}")
        return fallback
