"""Phase 10 — the validation gate, then save (v3 Ph 9 `quality-validator`, fixed).

The same rule engine as v5 (`eros.validation.validator.ScheduleValidator`): it re-reads vault
and rankings itself, checks every hard gate, scores and signs a certificate. Only then is the
schedule saved — with its certificate, so `save_schedule` stores it as approved or, when not
APPROVED, as a draft with the reason. A REJECTED week is not saved (v4's retry budget for hard
gates was zero: it goes to a person); a dry run saves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from eros.clock import Clock
from eros.legacy.state import Gate
from eros.models import CreatorContext, ScheduleItem, ValidationStatus
from eros.ports import ToolClient
from eros.validation.validator import ScheduleValidator


async def validate_and_save(
    client: ToolClient,
    signing_key: bytes,
    clock: Clock,
    context: CreatorContext,
    items: Sequence[ScheduleItem],
    *,
    dry_run: bool,
    known_caption_ids: frozenset[int] | None = None,
) -> Gate:
    """`known_caption_ids`: the captions the generator was served, when it knows them (the built-in does)."""
    validation = await ScheduleValidator(client, signing_key, clock).validate(
        list(items), context, known_caption_ids=known_caption_ids
    )
    if dry_run or validation.status is ValidationStatus.REJECTED:
        return Gate(validation=validation, saved=None)
    certificate = validation.certificate.model_dump(mode="json") if validation.certificate else None
    saved = await client.call_tool(
        "save_schedule",
        {
            "creator_id": context.creator_id,
            "week_start": context.week_start.isoformat(),
            "items": [item.model_dump(mode="json", exclude_none=True) for item in items],
            "validation_certificate": certificate,
        },
    )
    return Gate(validation=validation, saved=saved)
