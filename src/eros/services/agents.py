"""The agent seam (ARCHITECTURE D1): named agents behind a TaskTool.

The seed's generator ("Sonnet") and validator ("Opus") are agents invoked through a
Task tool. Here the built-in agents are code (an optimizer, a rule engine); a language
model can be plugged in later behind the same protocol, but hard gates are always
re-checked by the rule engine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from eros.errors import ErosError

GENERATOR_AGENT = "schedule-generator"
VALIDATOR_AGENT = "schedule-validator"

Payload = dict[str, Any]


class Agent(Protocol):
    """One named agent: takes a JSON-shaped payload (or a prompt) and answers with one."""

    name: str

    async def run(self, payload: Payload | str, model: str | None = None) -> Payload: ...


class TaskTool(Protocol):
    """How pipelines reach agents: `await tool.invoke("schedule-generator", payload, model="sonnet")`."""

    async def invoke(
        self, agent: str, prompt_or_payload: Payload | str, model: str | None = None
    ) -> Payload: ...


TaskInvoker = Callable[[str, Payload | str, str | None], Awaitable[Payload | str]]
#: Makes one built-in agent when it is first asked for (its wiring may read the database).
AgentFactory = Callable[[], Agent]

_task_logger = logging.getLogger("eros.adapters")


class ProductionTaskTool:
    """The TaskTool the pipelines use (runbook: `await ProductionTaskTool(invoker).invoke(...)`).

    With a `task_invoker` (e.g. a language-model client: `await invoker(agent, prompt, model)`)
    every agent call goes to it, and a text answer that is JSON is parsed. Without one, the
    built-in `agents` answer, each made by its factory on first use (`eros.bootstrap.builtin_agents`
    wires the optimizer and the rule engine). Like a tool, an agent answers an expected failure
    (a prompt it cannot use, a creator it cannot find) with `{"error", "error_code"}` instead of
    raising; an unknown agent raises.
    """

    def __init__(
        self, task_invoker: TaskInvoker | None = None, *, agents: Mapping[str, AgentFactory] | None = None
    ) -> None:
        self.task_invoker = task_invoker
        self._factories = dict(agents or {})
        self._agents: dict[str, Agent] = {}

    async def invoke(self, agent: str, prompt_or_payload: Payload | str, model: str | None = None) -> Payload:
        _task_logger.debug("task invoke agent=%s model=%s", agent, model)
        if self.task_invoker is not None:
            answer = await self.task_invoker(agent, prompt_or_payload, model)
            return _as_payload(answer)
        builtin = self._builtin(agent)
        try:
            return await builtin.run(prompt_or_payload, model)
        except ErosError as exc:
            _task_logger.warning("agent %s refused the request: [%s] %s", agent, exc.code, exc.message)
            return {"agent": agent, **exc.as_dict()}

    def _builtin(self, name: str) -> Agent:
        if name not in self._agents:
            factory = self._factories.get(name)
            if factory is None:
                raise ErosError(
                    f"Unknown agent {name!r}: the built-in agents are {' and '.join(self._factories)}",
                    code="UNKNOWN_AGENT",
                )
            self._agents[name] = factory()
        return self._agents[name]


def _as_payload(answer: Payload | str) -> Payload:
    """An invoker's answer as a payload: dicts as they are, JSON text parsed, other text wrapped."""
    if isinstance(answer, dict):
        return answer
    try:
        parsed = json.loads(answer)
    except ValueError:
        return {"response": answer}
    return parsed if isinstance(parsed, dict) else {"response": parsed}
