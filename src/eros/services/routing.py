"""Feature flags and the router that sends each creator's week to v4, v5 or shadow (seed 000, D4, D7).

Flag precedence (ARCHITECTURE §7): persisted override, then environment, then the seed's
default — except that an explicit `EROS_V5_ENABLED=false` in this process's environment, or
a rollback state other than `active`, always routes to v4. Flag state that cannot be read
(database down, malformed value) fails closed to v4. Flags are re-read at every decision, so
a rollback or `eros flags set` made by another process applies at the next decision.

Routing order: rollback state → kill switch → v5 enabled → shadow mode → allowlist →
percentage bucket → default (v4). Bucketing (D7, the Unleash scheme): the creator's bucket is
`mmh3_x86_32("<group>:<creator_id>", seed 0, unsigned) % 100 + 1`; the creator is on v5 when
`0 < bucket <= percentage`. One group id for every phase keeps the cohorts nested.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import mmh3
from sqlalchemy.exc import SQLAlchemyError

from eros.config import env_bool
from eros.db import ops_repo
from eros.errors import ErosError, InvalidInput
from eros.services.pipeline_run import PipelineResult, PipelineRunner

if TYPE_CHECKING:
    from eros.bootstrap import Container
    from eros.services.monitor import PipelineMonitor
    from eros.services.rollback import RollbackController

logger = logging.getLogger("eros.router")

#: The rollout group id every phase shares (D7); changing it reshuffles every cohort.
ROLLOUT_GROUP = "eros-v5-rollout"
BUCKETS = 100

ENABLED = "EROS_V5_ENABLED"
SHADOW_MODE = "EROS_V5_SHADOW_MODE"
PERCENTAGE = "EROS_V5_PERCENTAGE"
CREATORS = "EROS_V5_CREATORS"
AUTO_FALLBACK = "EROS_V5_AUTO_FALLBACK"

#: The five seed variables and their seed defaults (rollout plan, Appendix).
FLAG_DEFAULTS: dict[str, str] = {
    ENABLED: "false",
    SHADOW_MODE: "false",
    PERCENTAGE: "0",
    CREATORS: "",
    AUTO_FALLBACK: "true",
}
#: Attribute-style names accepted wherever a flag key is typed.
FLAG_ALIASES: dict[str, str] = {
    "v5_enabled": ENABLED,
    "shadow_mode": SHADOW_MODE,
    "v5_percentage": PERCENTAGE,
    "v5_creators": CREATORS,
    "auto_fallback": AUTO_FALLBACK,
}
_BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True}
_BOOL_WORDS |= {"0": False, "false": False, "no": False, "off": False}

ACTIVE_STATE = ops_repo.INITIAL_ROLLBACK_STATE


class Pipeline(StrEnum):
    V4 = "v4"
    V5 = "v5"
    SHADOW = "shadow"


class RouteReason(StrEnum):
    V5_DISABLED = "v5_disabled"
    ROLLED_BACK = "rolled_back"
    SHADOW_MODE = "shadow_mode"
    ALLOWLISTED = "allowlisted"
    PERCENTAGE = "percentage"  # written percentage_N with N the current percentage
    DEFAULT = "default"


def flag_key(name: str) -> str:
    """`EROS_V5_PERCENTAGE`, `v5_percentage` or `eros_v5_percentage` → `EROS_V5_PERCENTAGE`."""
    key = FLAG_ALIASES.get(name.strip().lower(), name.strip().upper())
    if key not in FLAG_DEFAULTS:
        known = ", ".join(FLAG_DEFAULTS)
        raise InvalidInput(f"Unknown flag {name!r}; flags are: {known}", code="UNKNOWN_FLAG")
    return key


def normalise_flag_value(key: str, raw: str) -> str:
    """The canonical text of a flag value; InvalidInput (code INVALID_FLAG_VALUE) if malformed."""
    text = raw.strip()
    if key == PERCENTAGE:
        if not text.lstrip("-").isdigit() or not 0 <= int(text) <= 100:
            raise InvalidInput(
                f"{key} must be a whole number from 0 to 100, not {raw!r}", code="INVALID_FLAG_VALUE"
            )
        return str(int(text))
    if key == CREATORS:
        return ",".join(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if text.lower() not in _BOOL_WORDS:
        raise InvalidInput(f"{key} must be true or false, not {raw!r}", code="INVALID_FLAG_VALUE")
    return "true" if _BOOL_WORDS[text.lower()] else "false"


@dataclass(frozen=True, slots=True)
class FlagValues:
    """Resolved flag state: the seed flags plus what overrides them (kill switch, rollback state)."""

    v5_enabled: bool = False
    shadow_mode: bool = False
    v5_percentage: int = 0
    v5_creators: tuple[str, ...] = ()
    auto_fallback: bool = True
    kill_switch: bool = False
    rollback_state: str = ACTIVE_STATE
    sources: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None


def resolve_flags(
    environ: Mapping[str, str], overrides: Mapping[str, str], rollback_state: str = ACTIVE_STATE
) -> FlagValues:
    """Pure: apply override > environment > default; a malformed value fails the whole state closed."""
    kill_switch = (environ.get(ENABLED) or "").strip().lower() in {"false", "0", "no", "off"}
    texts: dict[str, str] = {}
    sources: dict[str, str] = {}
    try:
        for key, default in FLAG_DEFAULTS.items():
            if key in overrides:
                texts[key], sources[key] = normalise_flag_value(key, overrides[key]), "override"
            elif (environ.get(key) or "").strip():
                texts[key], sources[key] = normalise_flag_value(key, environ[key]), "env"
            else:
                texts[key], sources[key] = default, "default"
    except InvalidInput as exc:
        return FlagValues(kill_switch=kill_switch, rollback_state=rollback_state, error=exc.message)
    return FlagValues(
        v5_enabled=env_bool(texts[ENABLED], False),
        shadow_mode=env_bool(texts[SHADOW_MODE], False),
        v5_percentage=int(texts[PERCENTAGE]),
        v5_creators=tuple(part for part in texts[CREATORS].split(",") if part),
        auto_fallback=env_bool(texts[AUTO_FALLBACK], True),
        kill_switch=kill_switch,
        rollback_state=rollback_state,
        sources=sources,
    )


def load_flag_values(container: Container) -> FlagValues:
    """Read overrides and rollback state from the database; unreadable ⇒ a fail-closed state."""
    environ = container.settings.environ
    try:
        with container.engine.connect() as conn:
            overrides = ops_repo.OpsRepository(conn).flag_override_values()
            row = ops_repo.OpsRepository(conn).rollback_state_row()
    except (SQLAlchemyError, ErosError, OSError) as exc:
        logger.error("flag state unreadable, failing closed to v4: %s", exc)
        return FlagValues(kill_switch=True, error=f"flag state unreadable: {type(exc).__name__}")
    return resolve_flags(environ, overrides, row["state"] if row is not None else ACTIVE_STATE)


class FeatureFlags:
    """The five seed flags as they stand now for this process (runbook §2 "Checking Current Status").

    `FeatureFlags()` reads the configured database and environment; tests build one from
    values with `FeatureFlags(values=FlagValues(...))`.
    """

    def __init__(self, container: Container | None = None, *, values: FlagValues | None = None) -> None:
        if values is None:
            from eros.bootstrap import bootstrap

            values = load_flag_values(container if container is not None else bootstrap())
        self.values = values

    @property
    def v5_enabled(self) -> bool:
        """Whether v5 may receive traffic at all: the flag, not beaten by kill switch or rollback."""
        v = self.values
        return v.v5_enabled and not v.kill_switch and v.rollback_state == ACTIVE_STATE and v.error is None

    @property
    def shadow_mode(self) -> bool:
        return self.values.shadow_mode

    @property
    def v5_percentage(self) -> int:
        return self.values.v5_percentage

    @property
    def v5_creators(self) -> tuple[str, ...]:
        return self.values.v5_creators

    @property
    def auto_fallback(self) -> bool:
        return self.values.auto_fallback

    def __repr__(self) -> str:
        v = self.values
        return (
            f"FeatureFlags(v5_enabled={self.v5_enabled}, shadow_mode={v.shadow_mode}, "
            f"v5_percentage={v.v5_percentage}, v5_creators={list(v.v5_creators)}, "
            f"auto_fallback={v.auto_fallback}, rollback_state={v.rollback_state!r})"
        )


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    pipeline: Pipeline
    reason: str
    bucket: int
    detail: str = ""


def bucket(creator_id: str, group: str = ROLLOUT_GROUP) -> int:
    """The creator's sticky bucket 1..100 (D7): a contract pinned by golden vectors in the tests."""
    return int(mmh3.hash(f"{group}:{creator_id}", 0, signed=False)) % BUCKETS + 1


def decide_route(creator_id: str, flags: FlagValues, group: str = ROLLOUT_GROUP) -> RoutingDecision:
    """Pure routing decision for one creator under one flag state."""
    slot = bucket(creator_id, group)
    if flags.error is not None:
        return RoutingDecision(Pipeline.V4, RouteReason.V5_DISABLED, slot, flags.error)
    if flags.rollback_state != ACTIVE_STATE:
        return RoutingDecision(
            Pipeline.V4, RouteReason.ROLLED_BACK, slot, f"rollback state {flags.rollback_state}"
        )
    if flags.kill_switch:
        return RoutingDecision(Pipeline.V4, RouteReason.V5_DISABLED, slot, f"{ENABLED}=false in environment")
    if not flags.v5_enabled:
        return RoutingDecision(Pipeline.V4, RouteReason.V5_DISABLED, slot, f"{ENABLED} is false")
    if flags.shadow_mode:
        return RoutingDecision(Pipeline.SHADOW, RouteReason.SHADOW_MODE, slot, "v4 serves, v5 runs dry")
    if creator_id.casefold() in {c.casefold() for c in flags.v5_creators}:
        return RoutingDecision(Pipeline.V5, RouteReason.ALLOWLISTED, slot, f"listed in {CREATORS}")
    if flags.v5_percentage > 0 and slot <= flags.v5_percentage:
        return RoutingDecision(
            Pipeline.V5,
            f"{RouteReason.PERCENTAGE}_{flags.v5_percentage}",
            slot,
            f"bucket {slot} <= {flags.v5_percentage}",
        )
    return RoutingDecision(
        Pipeline.V4, RouteReason.DEFAULT, slot, f"bucket {slot} > {flags.v5_percentage}, not allowlisted"
    )


class PipelineRouter:
    """Decides per creator, runs the chosen pipeline, records every run, falls back to v4 on v5 failure.

    `PipelineRouter()` (the runbook's form) wires itself from the configured database. Runners,
    monitor and rollback controller may be passed in (tests, simulation).
    """

    def __init__(
        self,
        container: Container | None = None,
        *,
        runners: Mapping[str, PipelineRunner] | None = None,
        monitor: PipelineMonitor | None = None,
        rollback: RollbackController | None = None,
        group: str = ROLLOUT_GROUP,
        auto_rollback: bool = True,
    ) -> None:
        from eros.bootstrap import bootstrap

        self.container = container if container is not None else bootstrap()
        self.group = group
        self._runners: dict[str, PipelineRunner] = dict(runners or {})
        self._monitor = monitor
        self._rollback = rollback
        self.auto_rollback = auto_rollback

    @property
    def monitor(self) -> PipelineMonitor:
        if self._monitor is None:
            from eros.services.monitor import PipelineMonitor

            self._monitor = PipelineMonitor(self.container)
        return self._monitor

    @property
    def rollback(self) -> RollbackController:
        if self._rollback is None:
            from eros.services.rollback import RollbackController

            self._rollback = RollbackController(self.container, monitor=self.monitor)
        return self._rollback

    def runner(self, pipeline: str) -> PipelineRunner:
        """The injected runner, else the configured one, built at its first call so that a
        pipeline that cannot even be built fails inside a recorded run (and falls back)."""
        if pipeline in self._runners:
            return self._runners[pipeline]

        async def run(creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
            if pipeline not in self._runners:
                from eros.bootstrap import pipeline_runner

                self._runners[pipeline] = pipeline_runner(self.container, pipeline)
            return await self._runners[pipeline](creator_id, week_start, dry_run=dry_run)

        return run

    def decide(self, creator_id: str) -> RoutingDecision:
        return self._decide(creator_id)[1]

    def _decide(self, creator_id: str) -> tuple[FlagValues, RoutingDecision]:
        values = load_flag_values(self.container)
        decision = decide_route(creator_id, values, self.group)
        logger.info(
            "route creator=%s pipeline=%s reason=%s bucket=%d",
            creator_id,
            decision.pipeline.value,
            decision.reason,
            decision.bucket,
        )
        return values, decision

    async def route(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        """Generate the week on the pipeline the flags choose; v4's result is what shadow returns."""
        values, decision = self._decide(creator_id)
        if decision.pipeline is Pipeline.SHADOW:
            from eros.services.shadow import ShadowComparator

            comparator = ShadowComparator(
                self.container,
                v4_runner=self.runner("v4"),
                v5_runner=self.runner("v5"),
                monitor=self.monitor,
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
