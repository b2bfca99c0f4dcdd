"""The v5 pipeline: preflight → generator → validator → save (ARCHITECTURE §2, D1–D3).

Preflight reads the creator's week in at most four MCP calls; the `schedule-generator` agent
plans it; the `schedule-validator` agent checks every hard gate, scores it and signs a
certificate (two MCP calls); an APPROVED week is saved with its certificate, a NEEDS_REVIEW
week as a draft without one. When the validator rejects, the generator gets the violations
and up to two more tries. About seven MCP calls per schedule in all, each counted per phase.

Failures come back as `PipelineResult(success=False, errors=[...])`, never as exceptions —
except programming errors, which should fail loudly. Logger: `eros.orchestrator`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import date
from pathlib import Path
from typing import Any

from eros.clock import Clock
from eros.errors import ErosError
from eros.models import CreatorContext, ValidationStatus
from eros.ports import ToolClient
from eros.rules.quality import generator_should_retry
from eros.services.agents import GENERATOR_AGENT, VALIDATOR_AGENT, TaskTool
from eros.services.pipeline_run import (
    HoldsClientSession,
    PhaseRecord,
    PipelineResult,
    run_reported,
    timed_phase,
)
from eros.services.preflight import PreflightEngine

logger = logging.getLogger("eros.orchestrator")

#: After a REJECTED validation the generator gets the violations and this many more tries.
MAX_RETRIES = 2
GENERATOR_MODEL = "sonnet"
#: What the generator reports about its plan, copied into the generator's metrics and the schedule.
PLAN_FIELDS = (
    "solver",
    "objective",
    "upper_bound",
    "gap",
    "expected_revenue",
    "baseline_revenue",
    "revenue_ratio",
)
VALIDATOR_MODEL = "opus"


class EROSOrchestrator(HoldsClientSession):
    """Runs the v5 pipeline for one creator-week (runbook: `await orchestrator.run(creator_id, week)`).

    `task_tool` reaches the generator and validator agents; `clock` times the phases and is the
    one the validator's certificates must agree with (`eros.bootstrap.v5_runner` wires both).
    `replace_edited` lets its saves replace a week a person saved (else SCHEDULE_EDITED).
    `timeout_s`, read at each run, bounds a run that saves (`EROS_V5_TIMEOUT_S`): past it the run
    fails as RUN_TIMEOUT in the phase it was in. A dry run (shadow's) is bounded by its caller.
    """

    def __init__(
        self,
        mcp: ToolClient,
        task_tool: TaskTool,
        *,
        clock: Clock,
        learnings_path: Path | str | None = None,
        replace_edited: bool = False,
        timeout_s: Callable[[], float] | None = None,
    ) -> None:
        self.mcp = self.session_client = mcp
        self.clock = clock
        self.timeout_s = timeout_s
        self.replace_edited = replace_edited
        self.task_tool = task_tool
        self.preflight = PreflightEngine(mcp, learnings_path=learnings_path, clock=clock)

    async def generate_schedule(
        self, creator_id: str, week_start: str | date, *, dry_run: bool = False
    ) -> PipelineResult:
        """The seed's name for `run`."""
        return await self.run(creator_id, week_start, dry_run=dry_run)

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        """A PipelineRunner (what `eros.bootstrap.pipeline_runner(container, "v5")` returns)."""
        return await self.run(creator_id, week_start, dry_run=dry_run)

    async def run(self, creator_id: str, week_start: str | date, *, dry_run: bool = False) -> PipelineResult:
        week_text = week_start.isoformat() if isinstance(week_start, date) else str(week_start)
        result = PipelineResult(success=False, creator_id=creator_id, week_start=week_text, dry_run=dry_run)
        phases = {name: PhaseRecord(name) for name in ("preflight", "generator", "validator", "save")}
        logger.info("v5 run start creator=%s week=%s dry_run=%s", creator_id, week_text, dry_run)
        return await run_reported(
            result,
            phases,
            self._run_phases(result, phases, creator_id, week_start),
            clock=self.clock,
            client=self.mcp,
            logger=logger,
            timeout_s=None if dry_run or self.timeout_s is None else self.timeout_s(),
        )

    async def _run_phases(
        self, result: PipelineResult, phases: dict[str, PhaseRecord], creator_id: str, week_start: str | date
    ) -> None:
        context = await self._preflight(phases["preflight"], creator_id, week_start)
        result.creator_id = context.creator_id
        result.week_start = context.week_start.isoformat()
        items = await self._plan_until_valid(result, phases, context)
        if result.validation_status == ValidationStatus.REJECTED:
            result.errors.append(_rejection_message(result.validation or {}))
            return
        if not result.dry_run:
            await self._save(result, phases["save"], context, items)
        result.success = True

    async def _preflight(self, phase: PhaseRecord, creator_id: str, week_start: str | date) -> CreatorContext:
        async with self._timer(phase):
            context = await self.preflight.execute(creator_id, week_start)
            phase.status = "degraded" if context.degraded else "ok"
            phase.extra["degraded"] = list(context.degraded)
        return context

    async def _plan_until_valid(
        self, result: PipelineResult, phases: dict[str, PhaseRecord], context: CreatorContext
    ) -> list[dict[str, Any]]:
        """Generate and validate; a rejected or sub-60 plan goes back with its violations (MAX_RETRIES)."""
        context_json = context.model_dump(mode="json")
        feedback: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        for revision in range(MAX_RETRIES + 1):
            async with self._timer(phases["generator"]) as phase:
                request = {"context": context_json, "revision": revision, "feedback": feedback}
                plan = _answer(
                    GENERATOR_AGENT,
                    await self.task_tool.invoke(GENERATOR_AGENT, request, model=GENERATOR_MODEL),
                )
                items = list(plan["schedule"]["items"])
                phase.extra.update(_plan_summary(plan))
            async with self._timer(phases["validator"]) as phase:
                validation = _answer(
                    VALIDATOR_AGENT,
                    await self.task_tool.invoke(
                        VALIDATOR_AGENT, {"context": context_json, "items": items}, model=VALIDATOR_MODEL
                    ),
                )
                status = ValidationStatus(str(validation["status"]))
                phase.status = "rejected" if status is ValidationStatus.REJECTED else "ok"
            _record(result, context, plan, items, validation)
            feedback = list(validation.get("violations") or [])
            if not generator_should_retry(float(validation.get("quality_score") or 0.0), len(feedback)):
                break
            logger.info(
                "validator rejected creator=%s revision=%d violations=%d score=%s",
                context.creator_id,
                revision,
                len(feedback),
                validation.get("quality_score"),
            )
        return items

    async def _save(
        self, result: PipelineResult, phase: PhaseRecord, context: CreatorContext, items: list[dict[str, Any]]
    ) -> None:
        """APPROVED with its certificate (save_schedule re-verifies it); NEEDS_REVIEW as a draft."""
        approved = result.validation_status == ValidationStatus.APPROVED
        certificate = (result.validation or {}).get("certificate") if approved else None
        async with self._timer(phase):
            saved = await self.mcp.call_tool(
                "save_schedule",
                {
                    "creator_id": context.creator_id,
                    "week_start": context.week_start.isoformat(),
                    "items": items,
                    "validation_certificate": certificate,
                    "generator": result.pipeline,
                    "replace": self.replace_edited,
                },
            )
            phase.extra["saved_status"] = saved.get("status")
            phase.extra["warnings"] = list(saved.get("warnings") or [])
        if approved and saved.get("status") != "approved":
            logger.warning(
                "approved schedule saved as %s creator=%s: %s",
                saved.get("status"),
                context.creator_id,
                "; ".join(phase.extra["warnings"]),
            )
        result.schedule_id = saved.get("schedule_id")
        if result.schedule is not None:
            result.schedule["saved_status"] = saved.get("status")
            result.schedule["revision"] = saved.get("revision")

    def _timer(self, phase: PhaseRecord) -> AbstractAsyncContextManager[PhaseRecord]:
        return timed_phase(phase, self.clock, self.mcp)


def _answer(agent: str, answer: Mapping[str, Any]) -> Mapping[str, Any]:
    """An agent's answer, or its error (`{"error", "error_code"}`) raised as an ErosError."""
    if "error_code" in answer:
        raise ErosError(f"{agent}: {answer.get('error', 'failed')}", code=str(answer["error_code"]))
    return answer


def _plan_summary(plan: Mapping[str, Any]) -> dict[str, Any]:
    """What the generator says about its own plan (solver, objective, bound, gap, baseline)."""
    return {key: plan.get(key) for key in PLAN_FIELDS}


def _record(
    result: PipelineResult,
    context: CreatorContext,
    plan: Mapping[str, Any],
    items: list[dict[str, Any]],
    validation: Mapping[str, Any],
) -> None:
    """The latest attempt becomes the result (a retry overwrites the rejected attempt)."""
    violations = list(validation.get("violations") or [])
    expected = plan.get("expected_revenue")
    result.validation_status = str(validation["status"])
    result.quality_score = validation.get("quality_score")
    result.total_items = len(items)
    result.hard_gate_violations = len(violations)
    result.expected_revenue = float(expected) if expected is not None else None
    result.validation = dict(validation)
    result.schedule = {
        "creator_id": context.creator_id,
        "page_name": context.page_name,
        "week_start": context.week_start.isoformat(),
        "tier": context.volume_config.get("tier"),
        "timezone": context.timezone,
        "items": items,
        **_plan_summary(plan),
    }


def _rejection_message(validation: Mapping[str, Any]) -> str:
    violations = validation.get("violations") or []
    codes = sorted({str(v.get("code")) for v in violations})
    return (
        f"validator: REJECTED after {MAX_RETRIES + 1} attempts "
        f"({len(violations)} violations: {', '.join(codes)})"
    )
