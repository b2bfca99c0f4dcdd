"""The built-in `schedule-generator` agent (ARCHITECTURE D1): plan_week behind the Agent protocol.

Payload in: `{"context": CreatorContext JSON, "revision": int, "feedback": [Violation JSON, ...],
"time_limit_s": float (optional)}` (or the same as a JSON string, the way a Task tool passes a
prompt). Payload out: `{"schedule": Schedule JSON, "objective", "upper_bound", "gap", "solver",
"status", "expected_revenue", "baseline_revenue", "revenue_ratio", "notes"}`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from eros.errors import InvalidInput
from eros.models import CreatorContext, Schedule, Violation
from eros.rules.timing import DEFAULT_TIME_GRID
from eros.scheduling.generator import DEFAULT_TIME_LIMIT_S, plan_week
from eros.services.agents import GENERATOR_AGENT, Payload


def _payload(payload: Payload | str) -> Payload:
    if isinstance(payload, str):
        try:
            parsed: Any = json.loads(payload)
        except ValueError as exc:
            raise InvalidInput(
                "The schedule-generator takes a JSON payload with a 'context'; the prompt is not JSON"
            ) from exc
        payload = parsed
    if not isinstance(payload, dict) or "context" not in payload:
        raise InvalidInput("The schedule-generator payload needs a 'context' (a CreatorContext)")
    return payload


class GeneratorAgent:
    """Deterministic optimiser agent; the `model` argument is accepted and ignored (no language model)."""

    name = GENERATOR_AGENT

    def __init__(
        self, time_limit_s: float = DEFAULT_TIME_LIMIT_S, time_grid: int = DEFAULT_TIME_GRID
    ) -> None:
        self.time_limit_s = time_limit_s
        self.time_grid = time_grid

    async def run(self, payload: Payload | str, model: str | None = None) -> Payload:
        data = _payload(payload)
        try:
            context = CreatorContext.model_validate(data["context"])
            feedback = [Violation.model_validate(v) for v in data.get("feedback") or []]
            revision = int(data.get("revision") or 0)
            time_limit = float(data.get("time_limit_s") or self.time_limit_s)
        except (ValidationError, TypeError, ValueError) as exc:
            raise InvalidInput(f"Invalid schedule-generator payload: {exc}") from exc
        plan = plan_week(
            context, revision=revision, feedback=feedback, time_limit_s=time_limit, time_grid=self.time_grid
        )
        schedule = Schedule(
            creator_id=context.creator_id,
            week_start=context.week_start.isoformat(),
            items=plan.items,
            generator="v5",
            objective=plan.objective,
            upper_bound=plan.upper_bound,
            expected_revenue=plan.expected_revenue,
        )
        return {
            "schedule": schedule.model_dump(mode="json"),
            "objective": plan.objective,
            "upper_bound": plan.upper_bound,
            "gap": plan.gap,
            "solver": plan.solver,
            "status": plan.status,
            "expected_revenue": plan.expected_revenue,
            "baseline_revenue": plan.baseline_revenue,
            "revenue_ratio": round(plan.revenue_ratio, 4),
            "revision": revision,
            "notes": list(plan.notes),
        }
