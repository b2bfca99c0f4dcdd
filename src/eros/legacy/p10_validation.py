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
from eros.services.pipeline_run import PipelineResult
from eros.services.validator import ScheduleValidator


async def validate_and_save(
    client: ToolClient,
    signing_key: bytes,
    clock: Clock,
    context: CreatorContext,
    items: Sequence[ScheduleItem],
    *,
    dry_run: bool,
    known_caption_ids: frozenset[int] | None = None,
    replace_edited: bool = False,
) -> Gate:
    """`known_caption_ids`: the captions the generator was served, when it knows them (the built-in does).

    The save is v4's (generator "v4"): a week a person saved is refused unless `replace_edited`.
    """
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
            "generator": "v4",
            "replace": replace_edited,
        },
    )
    return Gate(validation=validation, saved=saved)


def record(result: PipelineResult, gate: Gate) -> bool:
    """The gate's verdict and save on a run's result (its `schedule` already set); True if REJECTED.

    Shared by the built-in pipeline and the plug-in runner, which both end at this gate.
    """
    validation = gate.validation
    result.validation_status = validation.status.value
    result.quality_score = validation.quality_score
    result.hard_gate_violations = len(validation.violations)
    result.validation = validation.model_dump(mode="json")
    if gate.saved is not None:
        result.schedule_id = gate.saved.get("schedule_id")
        if result.schedule is not None:
            result.schedule["saved_status"] = gate.saved.get("status")
    return validation.status is ValidationStatus.REJECTED
