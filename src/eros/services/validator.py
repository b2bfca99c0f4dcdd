"""The rule engine as a service: re-read, gate, score, sign (DOMAIN §3, §9, §10; ARCHITECTURE D1, D6).

The validator trusts nothing the generator saw: it re-reads the creator's vault and content
rankings through the eros-db tools itself — exactly two MCP calls — and judges the items
against those. It then scores the schedule, decides the status by the §9 bands (any hard-gate
violation rejects), and for a schedule that is not rejected issues a ValidationCertificate
signed under the installation's key, which `save_schedule` verifies before it saves as approved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from eros.clock import Clock, iso_z
from eros.models import (
    ContentRanking,
    CreatorContext,
    ScheduleItem,
    ValidationCertificate,
    ValidationResult,
    ValidationStatus,
)
from eros.ports import ToolClient, UnitOfWorkFactory
from eros.rules.quality import status_for, wants_recommendations
from eros.validation.certificate import (
    CERTIFICATE_VERSION,
    bounded_recommendations,
    names_hash,
    schedule_hash,
    sign,
)
from eros.validation.gates import CHECK_NAMES, STRUCTURE_ERROR, facts_from_context, violation_counts
from eros.validation.items import gate_violations
from eros.validation.scoring import score_schedule, scoring_facts

#: The two calls validation makes (DOMAIN §13: "2 in validation (vault and rankings re-read)").
VAULT_TOOL = "get_allowed_content_types"
RANKINGS_TOOL = "get_content_type_rankings"
VALIDATION_TOOLS = (VAULT_TOOL, RANKINGS_TOOL)


def checks_performed(volume_known: bool) -> dict[str, bool]:
    """The certificate's ten checks (DOMAIN §10): every gate ran, captions scored, volume if known."""
    checks = {name: True for code, name in CHECK_NAMES.items() if code != STRUCTURE_ERROR}
    checks["caption_quality"] = True
    checks["volume_config"] = volume_known
    return checks


def known_caption_ids(uow: UnitOfWorkFactory, items: Sequence[Any]) -> frozenset[int]:
    """Which of the items' caption ids exist in the caption bank (the gate's 'caption ids exist')."""
    ids = {
        item["caption_id"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("caption_id"), int) and item["caption_id"] > 0
    }
    if not ids:
        return frozenset()
    with uow() as unit:
        return unit.captions.existing_ids(ids)


class ScheduleValidator:
    """`await ScheduleValidator(client, key, clock).validate(items, context)` → ValidationResult."""

    def __init__(self, client: ToolClient, signing_key: bytes, clock: Clock) -> None:
        self.client = client
        self.signing_key = signing_key
        self.clock = clock

    async def validate(
        self,
        items: Sequence[ScheduleItem | Mapping[str, Any]],
        context: CreatorContext,
        *,
        known_caption_ids: frozenset[int] | None = None,
    ) -> ValidationResult:
        """Gates, score and status for `items`; a signed certificate unless REJECTED.

        `known_caption_ids`, when given, is the caption bank the ids must come from; without it
        only the shape of a caption id is checked (the two calls cannot list the whole bank).
        """
        vault_answer, rankings_answer = await asyncio.gather(
            self.client.call_tool(VAULT_TOOL, {"creator_id": context.creator_id}),
            self.client.call_tool(RANKINGS_TOOL, {"creator_id": context.creator_id}),
        )
        vault = sorted(str(name) for name in vault_answer.get("allowed_type_names", []))
        avoid = sorted(str(name) for name in rankings_answer.get("avoid_types", []))
        rankings = [ContentRanking.model_validate(row) for row in rankings_answer.get("rankings", [])]
        creator_id = str(vault_answer.get("creator_id") or context.creator_id)

        facts = facts_from_context(context, known_caption_ids=known_caption_ids).with_content(vault, avoid)
        parsed, violations = gate_violations(items, facts)
        to_score = scoring_facts(context, rankings)
        score = score_schedule(parsed, to_score)
        status = status_for(score.total, len(violations))
        recommendations = score.recommendations() if wants_recommendations(score.total) else []
        upstream_ok = set(vault) == set(context.vault_types) and set(avoid) == set(context.avoid_types)
        if not upstream_ok:
            recommendations.insert(
                0,
                "the generator planned with a vault or AVOID list that is not the creator's current one",
            )
        certificate = None
        if status is not ValidationStatus.REJECTED:
            certificate = sign(
                ValidationCertificate(
                    certificate_version=CERTIFICATE_VERSION,
                    creator_id=creator_id,
                    validation_timestamp=iso_z(self.clock.now()),
                    schedule_hash=schedule_hash(parsed, context.week_start),
                    vault_types_hash=names_hash(vault),
                    avoid_types_hash=names_hash(avoid),
                    items_validated=len(parsed),
                    quality_score=score.total,
                    validation_status=status,
                    checks_performed=checks_performed(bool(to_score.daily_targets)),
                    violations_found=violation_counts(violations),
                    recommendations=bounded_recommendations(recommendations),
                    upstream_proof_verified=upstream_ok,
                ),
                self.signing_key,
            )
        return ValidationResult(
            status=status,
            quality_score=score.total,
            violations=violations,
            components=list(score.components),
            recommendations=recommendations,
            certificate=certificate,
        )
