"""The built-in `schedule-validator` agent (ARCHITECTURE D1): the rule engine behind the TaskTool seam.

Payload in: `{"context": <CreatorContext as JSON>, "items": [<ScheduleItem>, ...]}` (a JSON
string of the same is accepted), optionally `"known_caption_ids": [int, ...]`. Payload out:
the ValidationResult as JSON — `status`, `quality_score`, `violations`, `components`,
`recommendations`, `certificate` (signed unless REJECTED) — plus `agent` and `mcp_calls`.
The `model` argument is accepted for the protocol and ignored: this agent is code.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from eros.clock import Clock
from eros.errors import ErosError
from eros.models import CreatorContext
from eros.ports import ToolClient
from eros.services.agents import VALIDATOR_AGENT, Payload
from eros.services.validator import ScheduleValidator

INVALID_PAYLOAD = "INVALID_PAYLOAD"


def _payload(payload: Payload | str) -> dict[str, Any]:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise ErosError(f"validator payload is not JSON: {exc}", code=INVALID_PAYLOAD) from exc
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("items"), list)
        or "context" not in payload
    ):
        raise ErosError(
            "validator payload must be an object with 'context' and an 'items' list", code=INVALID_PAYLOAD
        )
    return payload


class ValidatorAgent:
    """`await ValidatorAgent(client, key, clock).run({"context": ..., "items": [...]})`."""

    name = VALIDATOR_AGENT

    def __init__(self, client: ToolClient, signing_key: bytes, clock: Clock) -> None:
        self.client = client
        self.validator = ScheduleValidator(client, signing_key, clock)

    async def run(self, payload: Payload | str, model: str | None = None) -> Payload:
        request = _payload(payload)
        try:
            context = CreatorContext.model_validate(request["context"])
        except ValidationError as exc:
            raise ErosError(
                f"validator context is malformed: {str(exc).splitlines()[0]}", code=INVALID_PAYLOAD
            ) from exc
        known = request.get("known_caption_ids")
        calls_before = self.client.calls
        result = await self.validator.validate(
            request["items"],
            context,
            known_caption_ids=frozenset(int(i) for i in known) if isinstance(known, list) else None,
        )
        answer = result.model_dump(mode="json")
        answer["agent"] = self.name
        answer["mcp_calls"] = self.client.calls - calls_before
        return answer
