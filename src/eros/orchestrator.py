"""The runbook's `eros.orchestrator`: `EROSOrchestrator(...).run(creator_id, week_start)` (§3.1, §4).

An entry point: the v5 pipeline itself is `eros.services.orchestrator`; here a task tool or
clock the caller leaves out comes from the configured installation (`bootstrap()`).
"""

from __future__ import annotations

from pathlib import Path

from eros.bootstrap import bootstrap, builtin_agents
from eros.clock import Clock
from eros.ports import ToolClient
from eros.services import orchestrator
from eros.services.agents import ProductionTaskTool, TaskTool
from eros.services.pipeline_run import PipelineResult

__all__ = ["EROSOrchestrator", "PipelineResult"]


class EROSOrchestrator(orchestrator.EROSOrchestrator):
    """`EROSOrchestrator(mcp)`: the built-in agents over `mcp` and the configured clock and key."""

    def __init__(
        self,
        mcp: ToolClient,
        task_tool: TaskTool | None = None,
        *,
        clock: Clock | None = None,
        signing_key: bytes | None = None,
        learnings_path: Path | str | None = None,
    ) -> None:
        container = bootstrap()
        clock = clock or container.clock
        super().__init__(
            mcp,
            task_tool or ProductionTaskTool(agents=builtin_agents(container, mcp, signing_key, clock)),
            clock=clock,
            learnings_path=learnings_path,
        )
