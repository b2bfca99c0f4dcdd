"""The v4 legacy pipeline: ten phases in sequence, each one's output the next one's input.

Every phase is timed and its MCP calls are counted into `PipelineResult.metrics` (plus
`total`). Decisions are greedy, phase by phase, from the same rulebook as v5; all randomness
comes from RNGs seeded from (creator, week). Failures come back as a failed PipelineResult
naming the phase, never as exceptions. Logger: `eros.legacy`.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from eros.clock import Clock
from eros.legacy import (
    p01_preflight,
    p02_retention,
    p03_performance,
    p04_allocation,
    p05_captions,
    p06_timing,
    p07_followups,
    p08_assembly,
    p09_revenue,
    p10_validation,
)
from eros.legacy.deprecation import V4DeprecationNotice
from eros.legacy.state import seeded_rng
from eros.ports import ToolClient
from eros.services.pipeline_run import (
    HoldsClientSession,
    PhaseRecord,
    PipelineResult,
    run_reported,
    timed_phase,
)
from eros.services.preflight import parse_week_start

logger = logging.getLogger("eros.legacy")

#: The ten phases in the order the reference system's architecture record gives for v4.
PHASES: tuple[str, ...] = (
    "preflight",
    "retention_risk",
    "performance",
    "allocation",
    "caption_selection",
    "timing",
    "followups",
    "assembly",
    "revenue",
    "validation",
)


class LegacyPipeline(HoldsClientSession):
    """The built-in v4 runner: `await LegacyPipeline(client, key, clock)(creator_id, week_start)`.

    `replace_edited` lets its saves replace a week a person saved (else SCHEDULE_EDITED);
    `deprecation` warns at each call once full cutover is recorded.
    """

    def __init__(
        self,
        client: ToolClient,
        signing_key: bytes,
        clock: Clock,
        *,
        replace_edited: bool = False,
        deprecation: V4DeprecationNotice | None = None,
    ) -> None:
        self.client = self.session_client = client
        self.signing_key = signing_key
        self.clock = clock
        self.replace_edited = replace_edited
        self.deprecation = deprecation

    async def __call__(self, creator_id: str, week_start: str, *, dry_run: bool = False) -> PipelineResult:
        """One run; outside a batch session it holds one for itself (one stdio server, not one per call)."""
        if self.deprecation is not None:
            self.deprecation.warn()
        if self._sessions:
            return await self._execute(creator_id, week_start, dry_run)
        async with self:
            return await self._execute(creator_id, week_start, dry_run)

    async def _execute(self, creator_id: str, week_start: str, dry_run: bool) -> PipelineResult:
        result = PipelineResult(
            success=False, creator_id=creator_id, week_start=str(week_start), pipeline="v4", dry_run=dry_run
        )
        phases = {name: PhaseRecord(name) for name in PHASES}
        return await run_reported(
            result,
            phases,
            self._run(result, phases, creator_id, week_start),
            clock=self.clock,
            client=self.client,
            logger=logger,
        )

    def _phase(self, phase: PhaseRecord) -> AbstractAsyncContextManager[PhaseRecord]:
        return timed_phase(phase, self.clock, self.client)

    async def _run(
        self, result: PipelineResult, phases: dict[str, PhaseRecord], creator_id: str, week_text: str
    ) -> None:
        week = parse_week_start(week_text)
        async with self._phase(phases["preflight"]) as phase:
            started, calls = self.clock.monotonic(), self.client.calls
            answers = await p01_preflight.fetch(self.client, creator_id, week)
            pre = p01_preflight.assemble(
                answers, week, self.client.calls - calls, (self.clock.monotonic() - started) * 1000
            )
            phase.extra.update(
                preflight_status=pre.status, warnings=list(pre.warnings), usable_captions=pre.usable_captions
            )
        context = pre.context
        result.creator_id, result.week_start = context.creator_id, week.isoformat()

        async with self._phase(phases["retention_risk"]) as phase:
            risk = p02_retention.analyze(context)
            phase.extra.update(risk_score=risk.score, risk_tier=risk.tier)

        async with self._phase(phases["performance"]) as phase:
            horizons = await p03_performance.fetch_horizons(self.client, context.creator_id)
            performance = p03_performance.analyze(context, horizons)
            phase.extra.update(
                saturation=performance.saturation,
                opportunity=performance.opportunity,
                confidence=performance.confidence,
                detected_triggers=len(performance.detected_triggers),
            )

        async with self._phase(phases["allocation"]) as phase:
            quotas = p04_allocation.quotas(pre.volume, context.page_type, risk.extra_retention_per_day)
            allocation = p04_allocation.allocate(
                quotas,
                context.page_type,
                performance,
                context.analytics,
                seeded_rng(context.creator_id, week, "strategy"),
            )
            phase.extra.update(
                slots=len(allocation.slots),
                strategy_metadata=dict(allocation.strategies),
                repairs=len(allocation.repairs),
            )

        async with self._phase(phases["caption_selection"]) as phase:
            captioned, fetched = await p05_captions.select(self.client, context, performance, allocation)
            phase.extra.update(levels=dict(captioned.levels))

        async with self._phase(phases["timing"]) as phase:
            timed = p06_timing.optimise(
                captioned.slots,
                week,
                context.analytics,
                context.timezone,
                seeded_rng(context.creator_id, week, "jitter"),
            )
            phase.extra.update(placed=len(timed.slots), dropped=len(timed.dropped))

        async with self._phase(phases["followups"]) as phase:
            drafts = p07_followups.plan(
                timed,
                performance.content_weights,
                context.top_types,
                week + timedelta(days=6),
                seeded_rng(context.creator_id, week, "followups"),
            )
            followups, followup_captions = await p07_followups.add_captions(self.client, context, drafts)
            phase.extra.update(followups=len(followups.followups), skipped=len(followups.skipped))
        context = context.model_copy(update={"captions": (*fetched, *followup_captions)})

        async with self._phase(phases["assembly"]) as phase:
            assembled = p08_assembly.assemble(timed, followups)
            phase.extra.update(items=len(assembled.items), warnings=list(assembled.warnings))

        async with self._phase(phases["revenue"]) as phase:
            priced = p09_revenue.optimise(context, assembled)
            phase.extra.update(expected_revenue=priced.expected_revenue)

        async with self._phase(phases["validation"]) as phase:
            gate = await p10_validation.validate_and_save(
                self.client,
                self.signing_key,
                self.clock,
                context,
                priced.items,
                dry_run=result.dry_run,
                known_caption_ids=frozenset(c.caption_id for c in context.captions),
                replace_edited=self.replace_edited,
            )
            phase.extra.update(
                validation_status=gate.validation.status.value, saved_status=(gate.saved or {}).get("status")
            )

        items = [item.model_dump(mode="json", exclude_none=True) for item in priced.items]
        result.total_items = len(items)
        result.expected_revenue = priced.expected_revenue
        result.schedule = {
            "creator_id": context.creator_id,
            "page_name": context.page_name,
            "week_start": week.isoformat(),
            "tier": context.volume_config.get("tier"),
            "timezone": context.timezone,
            "generator": "v4",
            "items": items,
            "expected_revenue": priced.expected_revenue,
            "strategy_metadata": dict(allocation.strategies),
            "warnings": [*pre.warnings, *captioned.warnings, *assembled.warnings],
        }
        rejected = p10_validation.record(result, gate)
        if gate.saved is not None:
            result.schedule["revision"] = gate.saved.get("revision")
        if rejected:
            violations = gate.validation.violations
            codes = ", ".join(sorted({v.code for v in violations}))
            result.errors.append(f"validation: REJECTED ({len(violations)} violations: {codes})")
            return
        result.success = True
