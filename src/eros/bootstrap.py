"""The one place that decides which concrete adapter each port gets.

Entry points (CLI, MCP server, HTTP, the runbook's no-argument constructors) call
`bootstrap()`; tests pass their own settings, clock or engine instead of patching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from mcp.server.mcpserver import MCPServer
from sqlalchemy import Engine

from eros.clock import Clock, clock_from_env
from eros.config import Settings, load_settings
from eros.db.engine import database_exists, make_engine, stored_signing_key
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import ConfigError
from eros.infra.mcp_clients import TRANSPORTS, ErosClient, InProcessClient, StdioClient
from eros.legacy.pipeline import LegacyPipeline
from eros.legacy.plugin import BUILTIN, PluginRunner, load_runner
from eros.ports import ToolClient
from eros.services.agents import GENERATOR_AGENT, VALIDATOR_AGENT, Agent, AgentFactory, ProductionTaskTool
from eros.services.generator_agent import GeneratorAgent
from eros.services.orchestrator import EROSOrchestrator
from eros.services.pipeline_run import PipelineRunner
from eros.services.validator_agent import ValidatorAgent
from eros.tools.env import ToolEnv
from eros.tools.server import build_server


@dataclass
class Container:
    settings: Settings
    clock: Clock
    _engine: Engine | None = field(default=None, repr=False)

    @cached_property
    def engine(self) -> Engine:
        return self._engine if self._engine is not None else make_engine(self.settings.db_url)

    @cached_property
    def signing_key(self) -> bytes:
        """`EROS_SIGNING_KEY`, else the key `eros db init` stored; never printed."""
        return (self.settings.signing_key or stored_signing_key(self.engine)).encode()

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


def pipeline_runner(container: Container, pipeline: str) -> PipelineRunner:
    """The runner for `v5` (the orchestrator) or `v4` (built-in legacy, or EROS_V4_RUNNER's plug-in)."""
    if pipeline == "v5":
        return v5_runner(container)
    if pipeline == "v4":
        return v4_runner(container)
    raise ConfigError(f"Unknown pipeline {pipeline!r}: use v4 or v5", code="UNKNOWN_PIPELINE")


# --- the pipelines: tool clients, v4/v5 runners, agents ----------------------------------------


def tool_env(container: Container) -> ToolEnv:
    """What the eros-db tools run on: the installation's units of work, clock and signing key."""
    return ToolEnv(uow=container.uow, clock=container.clock, signing_key=container.signing_key)


def tool_server(container: Container) -> MCPServer:
    """The eros-db server over the configured database (`eros mcp serve`, `python -m eros.tools`)."""
    if not database_exists(container.engine):
        raise ConfigError(
            f"No EROS database at {container.settings.db_url}: run `eros db init` first.",
            code="DB_NOT_INITIALISED",
        )
    return build_server(tool_env(container))


def connect_client(container: Container) -> ErosClient:
    """The configured client: `EROS_MCP_TRANSPORT` = inprocess (default) or stdio (a server subprocess
    over the same database, clock pin and signing key, inherited through the environment)."""
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

    return {GENERATOR_AGENT: GeneratorAgent, VALIDATOR_AGENT: validator}


def v5_runner(container: Container) -> EROSOrchestrator:
    """The orchestrator wired to the configured client, key, clock and learnings."""
    client = connect_client(container)
    agents = builtin_agents(container, client, container.signing_key, container.clock)
    return EROSOrchestrator(
        client,
        ProductionTaskTool(agents=agents),
        clock=container.clock,
        learnings_path=container.settings.learnings_path,
    )


def v4_runner(container: Container) -> PipelineRunner:
    """The runner EROS_V4_RUNNER names: `builtin` (default) or an agency's `module:function`."""
    spec = container.settings.v4_runner.strip() or BUILTIN
    if spec.lower() == BUILTIN:
        return LegacyPipeline(connect_client(container), container.signing_key, container.clock)
    return PluginRunner(
        spec, load_runner(spec), lambda: connect_client(container), container.signing_key, container.clock
    )


# --- the control plane: flags, router, monitor, alerts, rollback, rollout, shadow, metrics -------


# --- the learning loop: signals, LEARNINGS.md, git ----------------------------------------------
