"""The runbook's `eros.orchestrator`: `EROSOrchestrator(...).run(creator_id, week_start)` (§3.1, §4)."""

from __future__ import annotations

from eros.services.orchestrator import EROSOrchestrator
from eros.services.pipeline_run import PipelineResult

__all__ = ["EROSOrchestrator", "PipelineResult"]
