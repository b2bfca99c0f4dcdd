"""The runbook's `eros.adapters`: the production eros-db client and Task tool (runbook §3.3, §3.4).

An entry point: what the runbook does not pass comes from the configured installation.
`ProductionMCPClient()` connects the configured transport on its first call, and
`ProductionTaskTool()` answers with the built-in agents, wired from what is given and,
for the rest, from `bootstrap()` when the validator is first asked for.
"""

from __future__ import annotations

import asyncio

from eros.bootstrap import bootstrap, builtin_agents, connect_client
from eros.clock import Clock
from eros.infra import retrying_client
from eros.infra.retrying_client import RetryConfig, Sleep
from eros.ports import ToolClient
from eros.services import agents
from eros.services.agents import TaskInvoker

__all__ = ["ProductionMCPClient", "ProductionTaskTool", "RetryConfig"]


class ProductionMCPClient(retrying_client.ProductionMCPClient):
    """`ProductionMCPClient(tools)`, or with no client the configured one (connected on first use)."""

    def __init__(
        self,
        tools: ToolClient | None = None,
        retry: RetryConfig | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(tools, retry, connect=lambda: connect_client(bootstrap()), sleep=sleep, clock=clock)


class ProductionTaskTool(agents.ProductionTaskTool):
    """`ProductionTaskTool(invoker)`, or the built-in agents over the client, key and clock given."""

    def __init__(
        self,
        task_invoker: TaskInvoker | None = None,
        *,
        client: ToolClient | None = None,
        signing_key: bytes | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(task_invoker, agents=builtin_agents(bootstrap(), client, signing_key, clock))
