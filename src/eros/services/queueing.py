"""Queueing a week for sending re-checks its hard gates on what is stored (defence in depth, D11).

An approved schedule was judged when it was saved, but what goes out is what is stored now. So
before `approved → queued` the stored items are read back and every hard gate of DOMAIN §3 runs
again, against the creator's data as it is now (a fresh preflight context, the caption bank).
Any violation refuses the move with SCHEDULE_REJECTED and the violations in `details`; nothing
is written. The move itself only happens if the week is still the revision that was checked.
"""

from __future__ import annotations

from typing import Any

from eros.clock import Clock
from eros.errors import ErosError
from eros.models import ScheduleStatus, Violation
from eros.ports import ToolClient, UnitOfWorkFactory
from eros.services.preflight import PreflightEngine
from eros.validation.gates import facts_from_context
from eros.validation.items import gate_violations

#: How many violations the refusal's sentence names (its details list them all).
QUOTED_VIOLATIONS = 5


class ScheduleRejected(ErosError):
    """The stored week breaks a hard gate: it is not sent."""

    code = "SCHEDULE_REJECTED"


def _caption_ids(items: list[dict[str, Any]]) -> set[int]:
    return {
        item["caption_id"]
        for item in items
        if isinstance(item.get("caption_id"), int) and not isinstance(item["caption_id"], bool)
    }


async def queue_schedule(
    uow: UnitOfWorkFactory,
    client: ToolClient,
    clock: Clock,
    schedule_id: int,
) -> dict[str, Any]:
    """approved → queued after the stored week passes every hard gate again; the queued row.
    (The gates read no learnings, so the learnings file cannot stop a week from going out.)"""
    with uow() as unit:
        week = unit.schedules.stored_week(schedule_id)
        known = unit.captions.existing_ids(_caption_ids(week.items))
    if week.status == ScheduleStatus.APPROVED.value:
        context = await PreflightEngine(client, clock=clock).execute(week.creator_id, week.week_start)
        _, violations = gate_violations(week.items, facts_from_context(context, known_caption_ids=known))
        if violations:
            raise _rejected(schedule_id, violations)
    with uow() as unit:
        row = dict(unit.schedules.queue(schedule_id, clock.now(), expected_revision=week.revision))
        unit.commit()
    return row


def _rejected(schedule_id: int, violations: list[Violation]) -> ScheduleRejected:
    quoted = "; ".join(
        f"{v.code} (item {', '.join(map(str, v.items)) or 'week'}): {v.message}"
        for v in violations[:QUOTED_VIOLATIONS]
    )
    return ScheduleRejected(
        f"schedule {schedule_id} is not queued: its stored items break {len(violations)} hard gate "
        f"rule(s) — {quoted}",
        details={"schedule_id": schedule_id, "violations": [v.model_dump() for v in violations]},
    )
