"""The one place that decides which concrete adapter each port gets.

Entry points (CLI, MCP server, HTTP, the runbook's no-argument constructors) call
`bootstrap()`; tests pass their own settings, clock or engine instead of patching.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import Engine

from eros.clock import Clock, FixedClock, clock_from_env
from eros.config import Settings, load_settings
from eros.control.flags import FeatureFlags, FlagValues
from eros.db.engine import PoolSize, database_exists, make_engine, require_database, sqlite_path
from eros.db.rehearsal import copy_without_operations, skip_fsync
from eros.db.signing_keys import SigningKeys
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import ConfigError
from eros.infra.alert_sinks import LogSink, PagerDutySink, WebhookSink
from eros.infra.git import GitCommitter
from eros.infra.logs import redact_also
from eros.legacy.deprecation import V4DeprecationNotice
from eros.ports import AlertSink, Sleep, ToolClient
from eros.services import checks
from eros.services.agents import GENERATOR_AGENT, VALIDATOR_AGENT, Agent, AgentFactory, ProductionTaskTool
from eros.services.alerting import DEFAULT_RETRY, AlertManager, RetryPolicy
from eros.services.generator_agent import GeneratorAgent
from eros.services.monitor import PipelineMonitor
from eros.services.orchestrator import EROSOrchestrator
from eros.services.pipeline_run import PipelineRunner
from eros.services.reflect import LearningLoop
from eros.services.rollback import RollbackController, RollbackResult
from eros.services.rollout import RolloutManager
from eros.services.routing import PipelineRouter, load_flag_values
from eros.services.shadow import GateRecheck, fresh_gate_recheck
from eros.services.simulation import ControlPlane, Rehearsal, Replay, first_batch, rehearsal_settings
from eros.services.validator_agent import ValidatorAgent

if TYPE_CHECKING:
    # Imported where they are built: a command that needs no tool client (`eros route`,
    # `eros status`) then starts without the MCP SDK and the legacy pipeline (issue 14).
    from mcp.server.auth.provider import TokenVerifier
    from mcp.server.mcpserver import MCPServer

    from eros.infra.mcp_clients import ErosClient
    from eros.tools.env import ToolEnv


@dataclass
class Container:
    settings: Settings
    clock: Clock
    _engine: Engine | None = field(default=None, repr=False)

    @cached_property
    def engine(self) -> Engine:
        """The configured database; it never creates the file (see `new_database_engine`)."""
        if self._engine is not None:
            return self._engine
        return make_engine(
            self.settings.db_url,
            busy_timeout_s=self.settings.db_busy_timeout_s,
            pool=PoolSize(self.settings.db_pool_size, self.settings.db_max_overflow),
        )

    @cached_property
    def signing_keys(self) -> SigningKeys:
        """`EROS_SIGNING_KEY`, else the key file (`EROS_SIGNING_KEY_FILE`, default beside the database)."""
        return SigningKeys(
            self.engine, env_key=self.settings.signing_key, key_path=self.settings.signing_key_file
        )

    @cached_property
    def signing_key(self) -> bytes:
        """The key this process signs with; never printed, and redacted from every log line."""
        key = self.signing_keys.ring().current
        redact_also(key.decode(errors="replace"))
        return key

    def verifying_keys(self, now: datetime) -> tuple[bytes, ...]:
        """Read afresh at every save: after `eros keys rotate` elsewhere, the new key verifies at
        once and the replaced one until its grace period ends."""
        return self.signing_keys.ring().verifying(now)

    def uow(self) -> SqlUnitOfWork:
        """A fresh unit of work on the configured database (the services' `UnitOfWorkFactory`)."""
        return SqlUnitOfWork(self.engine)


def bootstrap(
    settings: Settings | None = None,
    clock: Clock | None = None,
    engine: Engine | None = None,
) -> Container:
    resolved = settings or load_settings()
    return Container(settings=resolved, clock=clock or clock_from_env(resolved.environ), _engine=engine)


def new_database_engine(container: Container) -> Engine:
    """The one engine that may create the configured database file: `eros db init`, `eros demo`."""
    return make_engine(
        container.settings.db_url,
        create=True,
        busy_timeout_s=container.settings.db_busy_timeout_s,
        pool=PoolSize(container.settings.db_pool_size, container.settings.db_max_overflow),
    )


def pipeline_runner(container: Container, pipeline: str, *, replace_edited: bool = False) -> PipelineRunner:
    """The runner for `v5` (the orchestrator) or `v4` (built-in legacy, or EROS_V4_RUNNER's plug-in);
    `replace_edited`: its saves may replace a week a person saved (`--replace`)."""
    if pipeline == "v5":
        return v5_runner(container, replace_edited=replace_edited)
    if pipeline == "v4":
        return v4_runner(container, replace_edited=replace_edited)
    raise ConfigError(f"Unknown pipeline {pipeline!r}: use v4 or v5", code="UNKNOWN_PIPELINE")


# --- the pipelines: tool clients, v4/v5 runners, agents ----------------------------------------


def tool_env(container: Container) -> ToolEnv:
    """What the eros-db tools run on: the installation's units of work, clock and signing key."""
    from eros.tools.env import ToolEnv  # noqa: PLC0415 - deferred, see TYPE_CHECKING above

    return ToolEnv(
        uow=container.uow,
        clock=container.clock,
        signing_key=container.signing_key,
        verifying=container.verifying_keys,
    )


def tool_server(
    container: Container, *, token_verifier: TokenVerifier | None = None, scope: str = ""
) -> MCPServer:
    """The eros-db server over the configured database (`eros mcp serve`, `python -m eros.tools`,
    `/mcp`); over HTTP it takes the bearer tokens `token_verifier` accepts with `scope`."""
    from eros.tools.server import build_server  # noqa: PLC0415 - deferred, see TYPE_CHECKING above

    require_database(container.engine)
    return build_server(tool_env(container), token_verifier=token_verifier, scope=scope)


def connect_client(container: Container) -> ErosClient:
    """The configured client: `EROS_MCP_TRANSPORT` = inprocess (default) or stdio (a server subprocess
    over the same database, clock pin and signing key, inherited through the environment)."""
    from eros.infra.mcp_clients import TRANSPORTS, InProcessClient, StdioClient  # noqa: PLC0415 - see above

    transport = container.settings.mcp_transport
    if transport == "inprocess":
        return InProcessClient(tool_env(container))
    if transport == "stdio":
        env = dict(container.settings.environ)
        env.setdefault("EROS_DB_URL", container.settings.db_url)
        return StdioClient(env=env)
    raise ConfigError(
        f"EROS_MCP_TRANSPORT={transport!r} is not one of {', '.join(TRANSPORTS)}", code="INVALID_TRANSPORT"
    )


def builtin_agents(
    container: Container,
    client: ToolClient | None = None,
    signing_key: bytes | None = None,
    clock: Clock | None = None,
) -> dict[str, AgentFactory]:
    """The built-in agents, each made on first use: the optimizer, and the rule engine over the
    client, key and clock given (the configured installation's for any not given)."""

    def validator() -> Agent:
        return ValidatorAgent(
            client or connect_client(container),
            signing_key or container.signing_key,
            clock or container.clock,
        )

    generator = partial(GeneratorAgent, time_grid=container.settings.time_grid)
    return {GENERATOR_AGENT: generator, VALIDATOR_AGENT: validator}


def v5_runner(container: Container, *, replace_edited: bool = False) -> EROSOrchestrator:
    """The orchestrator wired to the configured client, key, clock and learnings."""
    client = connect_client(container)
    agents = builtin_agents(container, client, container.signing_key, container.clock)
    return EROSOrchestrator(
        client,
        ProductionTaskTool(agents=agents),
        clock=container.clock,
        learnings_path=container.settings.learnings_path,
        replace_edited=replace_edited,
        timeout_s=lambda: flag_reader(container)().v5_timeout_s,
    )


def v4_runner(container: Container, *, replace_edited: bool = False) -> PipelineRunner:
    """The runner EROS_V4_RUNNER names: `builtin` (default) or an agency's `module:function`."""
    from eros.legacy.pipeline import LegacyPipeline  # noqa: PLC0415 - deferred, see TYPE_CHECKING above
    from eros.legacy.plugin import BUILTIN, PluginRunner, load_runner  # noqa: PLC0415

    spec = container.settings.v4_runner.strip() or BUILTIN
    deprecation = v4_deprecation_notice(container)
    if spec.lower() == BUILTIN:
        return LegacyPipeline(
            connect_client(container),
            container.signing_key,
            container.clock,
            replace_edited=replace_edited,
            deprecation=deprecation,
        )
    return PluginRunner(
        spec,
        load_runner(spec),
        lambda: connect_client(container),
        container.signing_key,
        container.clock,
        replace_edited=replace_edited,
        deprecation=deprecation,
    )


def v4_deprecation_notice(container: Container) -> V4DeprecationNotice:
    """The v4 runners' DeprecationWarning, raised once full cutover is recorded (plan Phase 4)."""

    def note() -> str | None:
        status = rollout_manager(container).v4_status()
        return f"v4 {status.note()}" if status.deprecated else None

    return V4DeprecationNotice(note)


# --- the control plane: flags, router, monitor, alerts, rollback, rollout, shadow, metrics -------


def flag_reader(container: Container) -> Callable[[], FlagValues]:
    """Re-reads the flag state (overrides and rollback state, then this process's environment)."""
    return partial(load_flag_values, container.uow, container.settings.environ)


def feature_flags(container: Container) -> FeatureFlags:
    return FeatureFlags(flag_reader(container)())


def alert_manager(
    container: Container,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Sleep = asyncio.sleep,
) -> AlertManager:
    """The log sink always; webhook and PagerDuty when configured (ARCHITECTURE §7)."""
    settings = container.settings
    sinks: list[AlertSink] = [LogSink()]
    if settings.slack_webhook_url:
        sinks.append(WebhookSink(settings.slack_webhook_url, transport))
    if settings.pagerduty_routing_key:
        sinks.append(PagerDutySink(settings.pagerduty_routing_key, settings.pagerduty_url, transport))
    return AlertManager(container.uow, container.clock, sinks, retry=retry, sleep=sleep)


def pipeline_monitor(container: Container) -> PipelineMonitor:
    return PipelineMonitor(container.uow, container.clock, alerts=alert_manager(container))


def rollback_controller(
    container: Container, *, monitor: PipelineMonitor | None = None, sleep: Sleep = asyncio.sleep
) -> RollbackController:
    """The kill switch is mirrored into this process's environment and the settings' copy (D4)."""
    return RollbackController(
        container.uow,
        container.clock,
        monitor=monitor if monitor is not None else pipeline_monitor(container),
        read_flags=flag_reader(container),
        environs=(os.environ, container.settings.environ),
        sleep=sleep,
    )


def periodic_check(
    container: Container,
) -> Callable[[], Coroutine[Any, Any, tuple[list[str], RollbackResult | None]]]:
    """`eros check`'s use case over one monitor (its alerts and the rollback triggers read the same)."""
    monitor = pipeline_monitor(container)
    return partial(
        checks.periodic_check,
        monitor,
        learning_loop(container),
        rollback_controller(container, monitor=monitor),
    )


def gate_recheck(container: Container) -> GateRecheck:
    """The shadow comparator's hard-gate re-check, on a context fetched through a fresh client."""
    return fresh_gate_recheck(partial(connect_client, container), container.clock)


def pipeline_router(
    container: Container,
    *,
    runners: Mapping[str, PipelineRunner] | None = None,
    monitor: PipelineMonitor | None = None,
    rollback: RollbackController | None = None,
    auto_rollback: bool = True,
    replace_edited: bool = False,
) -> PipelineRouter:
    """Pipelines not in `runners` are the configured ones (`pipeline_runner`), built at first use;
    `replace_edited` (`eros run --replace`) lets them replace weeks a person saved."""
    watch = monitor if monitor is not None else pipeline_monitor(container)
    return PipelineRouter(
        container.uow,
        container.clock,
        container.settings.environ,
        monitor=watch,
        rollback=rollback if rollback is not None else rollback_controller(container, monitor=watch),
        recheck=gate_recheck(container),
        runners=runners,
        build_runner=partial(pipeline_runner, container, replace_edited=replace_edited),
        auto_rollback=auto_rollback,
        replace_edited=replace_edited,
    )


def rollout_manager(container: Container, *, monitor: PipelineMonitor | None = None) -> RolloutManager:
    return RolloutManager(
        container.uow,
        container.clock,
        monitor=monitor if monitor is not None else pipeline_monitor(container),
    )


def rehearsal_database(container: Container, directory: Path) -> Engine:
    """A private copy of the configured SQLite database in `directory` (a fresh sample when the
    database is not an SQLite file), so a rehearsal never touches the real installation."""
    target = directory / "rehearsal.db"
    source = sqlite_path(container.settings.db_url)
    engine = make_engine(f"sqlite:///{target}", create=True)
    if source is not None and database_exists(container.engine):
        copy_without_operations(source, target, engine)
    else:
        from eros.db.sample import ensure_sample_database  # noqa: PLC0415 - deferred like the MCP SDK

        ensure_sample_database(engine, container.clock)
    return engine


def rehearsal(engine: Engine, settings: Settings | None = None) -> Rehearsal:
    """The rollout rehearsal on `engine` (a database it may write), with the operator's
    `settings` made safe (`rehearsal_settings`): the control plane is wired as in production,
    except that weeks a person saved in the private copy are replaced, not refused."""
    skip_fsync(engine)
    safe = rehearsal_settings(settings, str(engine.url))

    def wire(clock: FixedClock, runners: Mapping[str, PipelineRunner], sleep: Sleep) -> ControlPlane:
        container = Container(settings=safe, clock=clock, _engine=engine)
        monitor = pipeline_monitor(container)
        rollback = rollback_controller(container, monitor=monitor, sleep=sleep)
        return ControlPlane(
            monitor=monitor,
            rollback=rollback,
            router=pipeline_router(
                container, runners=runners, monitor=monitor, rollback=rollback, replace_edited=True
            ),
            manager=rollout_manager(container, monitor=monitor),
        )

    return Rehearsal(uow=partial(SqlUnitOfWork, engine), wire=wire)


def rehearsal_runners(engine: Engine, settings: Settings | None, start: date) -> dict[str, PipelineRunner]:
    """The configured v4 and v5 pipelines on the rehearsal database, replayed after their first
    run of a creator-week (their own clock stays at the rehearsal's start). The database is a
    private copy, so they replace weeks a person saved there (no real edit is touched)."""
    safe = rehearsal_settings(settings, str(engine.url))
    container = Container(settings=safe, clock=FixedClock(first_batch(start)), _engine=engine)
    return {name: Replay(pipeline_runner(container, name, replace_edited=True)) for name in ("v4", "v5")}


# --- the learning loop: signals, LEARNINGS.md, git ----------------------------------------------


def learning_loop(container: Container) -> LearningLoop:
    """`eros reflect` on the configured database, EROS_LEARNINGS_PATH and git."""
    return LearningLoop(
        uow=container.uow,
        clock=container.clock,
        learnings_path=container.settings.learnings_path,
        git=GitCommitter(),
    )
