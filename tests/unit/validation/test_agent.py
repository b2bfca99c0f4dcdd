"""The schedule-validator agent refuses malformed payloads before any MCP call."""

from __future__ import annotations

from typing import Any

import pytest

from eros.clock import FixedClock, parse_instant
from eros.errors import ErosError
from eros.services.agents import VALIDATOR_AGENT
from eros.services.validator_agent import INVALID_PAYLOAD, ValidatorAgent


class NoCalls:
    """A client that must not be reached."""

    calls = 0

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        raise AssertionError(f"unexpected call to {name}")


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[1, 2]",
        {"items": []},
        {"context": {}, "items": "x"},
        {"context": {"creator_id": "c"}, "items": []},
    ],
)
async def test_malformed_payloads_are_invalid_payload_errors(payload):
    agent = ValidatorAgent(NoCalls(), b"k", FixedClock(parse_instant("2026-01-04T12:00:00Z")))
    assert agent.name == VALIDATOR_AGENT
    with pytest.raises(ErosError) as caught:
        await agent.run(payload)
    assert caught.value.code == INVALID_PAYLOAD
