"""The validator against the real sample and the real tools: two calls, certificates save_schedule honours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from eros.clock import FixedClock
from eros.infra.mcp_clients import InProcessClient
from eros.models import CreatorContext, ScheduleItem, ValidationStatus
from eros.scheduling.generator import plan_week
from eros.services.agents import VALIDATOR_AGENT
from eros.services.preflight import PreflightEngine
from eros.services.validator import VALIDATION_TOOLS, ScheduleValidator
from eros.services.validator_agent import ValidatorAgent
from eros.validation import gates as g
from support import tool_env

WEEK = "2026-01-05"
KEY = b"validator-integration-key"


class CountingClient:
    """The real in-process client, recording which tools are called."""

    def __init__(self, inner: InProcessClient) -> None:
        self.inner = inner
        self.names: list[str] = []

    @property
    def calls(self) -> int:
        return self.inner.calls

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        self.names.append(name)
        return await self.inner.call_tool(name, arguments)


@pytest.fixture
def client(sample_db: Engine, clock: FixedClock) -> InProcessClient:
    return InProcessClient(tool_env(sample_db, clock, KEY))


async def _planned(
    client: InProcessClient, clock: FixedClock, creator: str
) -> tuple[CreatorContext, list[ScheduleItem]]:
    context = await PreflightEngine(client, clock=clock).execute(creator, WEEK)
    return context, plan_week(context, use_solver=False).items


async def _save(
    client: InProcessClient, context: CreatorContext, items: list[ScheduleItem], certificate: Any
) -> dict[str, Any]:
    return await client.call_tool(
        "save_schedule",
        {
            "creator_id": context.creator_id,
            "week_start": WEEK,
            "items": [item.model_dump(mode="json", exclude_none=True) for item in items],
            "validation_certificate": certificate,
        },
    )


@pytest.mark.parametrize("creator", ["alexia", "luna_free"])
async def test_a_generated_week_is_approved_in_exactly_two_calls(client, clock, creator):
    context, items = await _planned(client, clock, creator)
    counting = CountingClient(client)
    result = await ScheduleValidator(counting, KEY, clock).validate(items, context)
    assert counting.names == list(VALIDATION_TOOLS)
    assert result.violations == [] and result.status is ValidationStatus.APPROVED
    assert result.quality_score >= 75 and result.certificate is not None
    assert result.certificate.items_validated == len(items)
    assert result.certificate.violations_found["critical"] == 0
    assert all(result.certificate.checks_performed.values())


async def test_its_certificate_is_accepted_by_save_schedule(client, clock):
    context, items = await _planned(client, clock, "alexia")
    result = await ScheduleValidator(client, KEY, clock).validate(items, context)
    assert result.certificate is not None
    saved = await _save(client, context, items, result.certificate.model_dump(mode="json"))
    assert saved["status"] == "approved" and saved["certificate_verified"], saved["warnings"]


async def test_tampered_stale_or_foreign_certificates_save_as_draft(client, clock, sample_db):
    context, items = await _planned(client, clock, "alexia")
    result = await ScheduleValidator(client, KEY, clock).validate(items, context)
    assert result.certificate is not None
    good = result.certificate.model_dump(mode="json")

    priced = next(i for i, item in enumerate(items) if item.price)
    one_cent = list(items)
    one_cent[priced] = items[priced].model_copy(update={"price": items[priced].price + 0.01})
    assert (await _save(client, context, one_cent, good))["status"] == "draft"

    forged = dict(good, quality_score=99.0)
    saved = await _save(client, context, items, forged)
    assert saved["status"] == "draft" and any("signature" in w for w in saved["warnings"])

    other_key = await ScheduleValidator(client, b"someone-elses-key", clock).validate(items, context)
    assert other_key.certificate is not None
    assert (await _save(client, context, items, other_key.certificate.model_dump(mode="json")))[
        "status"
    ] == "draft"

    later = FixedClock(clock.now() + timedelta(seconds=301))
    late_client = InProcessClient(tool_env(sample_db, later, KEY))
    saved = await _save(late_client, context, items, good)
    assert saved["status"] == "draft" and any("expired" in w for w in saved["warnings"])

    assert (await _save(client, context, items, good))["status"] == "approved"


async def test_the_validator_judges_by_the_current_vault_not_the_context(client, clock):
    context, items = await _planned(client, clock, "alexia")
    used = next(item.content_type for item in items if item.content_type)
    assert used is not None
    stale = context.model_copy(update={"vault_types": (*context.vault_types, "never_in_vault")})
    result = await ScheduleValidator(client, KEY, clock).validate(items, stale)
    assert result.status is ValidationStatus.APPROVED
    assert result.certificate is not None and not result.certificate.upstream_proof_verified
    bogus = [items[0].model_copy(update={"content_type": "never_in_vault"}), *items[1:]]
    rejected = await ScheduleValidator(client, KEY, clock).validate(bogus, stale)
    assert rejected.status is ValidationStatus.REJECTED and rejected.certificate is None
    assert {v.code for v in rejected.violations} >= {g.VAULT_VIOLATION}


async def test_avoid_content_from_the_live_rankings_is_rejected(client, clock):
    context, items = await _planned(client, clock, "alexia")
    rankings = await client.call_tool("get_content_type_rankings", {"creator_id": "alexia"})
    vault = set(
        (await client.call_tool("get_allowed_content_types", {"creator_id": "alexia"}))["allowed_type_names"]
    )
    avoid_in_vault = sorted(set(rankings["avoid_types"]) & vault)
    if not avoid_in_vault:
        pytest.skip("the sample gives alexia no AVOID type she has in her vault")
    index = next(i for i, item in enumerate(items) if item.content_type)
    broken = [
        *items[:index],
        items[index].model_copy(update={"content_type": avoid_in_vault[0]}),
        *items[index + 1 :],
    ]
    result = await ScheduleValidator(client, KEY, clock).validate(
        broken, context.model_copy(update={"avoid_types": ()})
    )
    assert {v.code for v in result.violations} == {g.AVOID_TIER_VIOLATION}
    assert result.status is ValidationStatus.REJECTED


async def test_the_agent_answers_json_with_its_calls_counted(client, clock):
    context, items = await _planned(client, clock, "luna_free")
    agent = ValidatorAgent(client, KEY, clock)
    assert agent.name == VALIDATOR_AGENT
    answer = await agent.run(
        {"context": context.model_dump(mode="json"), "items": [i.model_dump(mode="json") for i in items]}
    )
    assert answer["status"] == "APPROVED" and answer["mcp_calls"] == 2
    assert answer["certificate"]["certificate_signature"]
    assert {c["name"] for c in answer["components"]} >= {"prime_hours", "expected_revenue"}
