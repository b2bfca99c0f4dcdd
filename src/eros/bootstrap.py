"""The one place that decides which concrete adapter each port gets.

Entry points (CLI, MCP server, HTTP, the runbook's no-argument constructors) call
`bootstrap()`; tests pass their own settings, clock or engine instead of patching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine

from eros.clock import Clock, clock_from_env
from eros.config import Settings, load_settings
from eros.db.engine import make_engine, stored_signing_key
from eros.db.unit_of_work import SqlUnitOfWork
from eros.errors import ConfigError
from eros.infra.git import GitCommitter
from eros.services.pipeline_run import PipelineRunner
from eros.services.reflect import LearningLoop


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
        from eros.services.orchestrator import build_v5_runner

        return build_v5_runner(container)
    if pipeline == "v4":
        from eros.legacy import build_v4_runner

        return build_v4_runner(container)
    raise ConfigError(f"Unknown pipeline {pipeline!r}: use v4 or v5", code="UNKNOWN_PIPELINE")


# --- the pipelines: tool clients, v4/v5 runners, agents ----------------------------------------


# --- the control plane: flags, router, monitor, alerts, rollback, rollout, shadow, metrics -------


# --- the learning loop: signals, LEARNINGS.md, git ----------------------------------------------


def learning_loop(container: Container) -> LearningLoop:
    """`eros reflect` on the configured database, EROS_LEARNINGS_PATH and git."""
    return LearningLoop(
        uow=container.uow,
        clock=container.clock,
        learnings_path=container.settings.learnings_path,
        git=GitCommitter(),
    )
