"""The agent seam (ARCHITECTURE D1): named agents behind a TaskTool.

The seed's generator ("Sonnet") and validator ("Opus") are agents invoked through a
Task tool. Here the built-in agents are code (an optimizer, a rule engine); a language
model can be plugged in later behind the same protocol, but hard gates are always
re-checked by the rule engine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from eros.clock import Clock
from eros.errors import ErosError
from eros.ports import ToolClient

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

_task_logger = logging.getLogger("eros.adapters")


class ProductionTaskTool:
    """The TaskTool the pipelines use (runbook: `await ProductionTaskTool(invoker).invoke(...)`).

    With a `task_invoker` (e.g. a language-model client: `await invoker(agent, prompt, model)`)
    every agent call goes to it, and a text answer that is JSON is parsed. Without one, the
    built-in agents answer: the optimizer (`schedule-generator`) and the rule engine
    (`schedule-validator`), the latter wired with the client, signing key and clock given here
    — or, when none are given, those of the configured installation (`bootstrap()`).
    Like a tool, an agent answers an expected failure (a prompt it cannot use, a creator it
    cannot find) with `{"error", "error_code"}` instead of raising; an unknown agent raises.
    """

    def __init__(
        self,
        task_invoker: TaskInvoker | None = None,
        *,
        client: ToolClient | None = None,
        signing_key: bytes | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.task_invoker = task_invoker
        self._client = client
        self._signing_key = signing_key
        self._clock = clock
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
            self._agents[name] = self._make_builtin(name)
        return self._agents[name]

    def _make_builtin(self, name: str) -> Agent:
        if name == GENERATOR_AGENT:
            from eros.services.generator_agent import GeneratorAgent

            return GeneratorAgent()
        if name == VALIDATOR_AGENT:
            from eros.services.validator_agent import ValidatorAgent

            client, key, clock = self._wiring()
            return ValidatorAgent(client, key, clock)
        raise ErosError(
            f"Unknown agent {name!r}: the built-in agents are {GENERATOR_AGENT} and {VALIDATOR_AGENT}",
            code="UNKNOWN_AGENT",
        )

    def _wiring(self) -> tuple[ToolClient, bytes, Clock]:
        """The validator's client, key and clock: as given, else the configured installation's."""
        if self._client is not None and self._signing_key is not None and self._clock is not None:
            return self._client, self._signing_key, self._clock
        from eros.bootstrap import bootstrap
        from eros.infra.mcp_clients import connect_client

        container = bootstrap()
        return (
            self._client or connect_client(container),
            self._signing_key or container.signing_key,
            self._clock or container.clock,
        )


def _as_payload(answer: Payload | str) -> Payload:
    """An invoker's answer as a payload: dicts as they are, JSON text parsed, other text wrapped."""
    if isinstance(answer, dict):
        return answer
    try:
        parsed = json.loads(answer)
    except ValueError:
        return {"response": answer}
    return parsed if isinstance(parsed, dict) else {"response": parsed}
