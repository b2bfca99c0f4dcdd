"""The agent seam (ARCHITECTURE D1): named agents behind a TaskTool.

The seed's generator ("Sonnet") and validator ("Opus") are agents invoked through a
Task tool. Here the built-in agents are code (an optimizer, a rule engine); a language
model can be plugged in later behind the same protocol, but hard gates are always
re-checked by the rule engine.
"""

from __future__ import annotations

from typing import Any, Protocol

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
