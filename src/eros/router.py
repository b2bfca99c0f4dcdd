"""The runbook's `eros.router`: feature flags and the pipeline router (seed 000, runbook §2, §5).

`FeatureFlags()` and `PipelineRouter()` read the configured database; the flag rules are in
`eros.control`, the routing use case in `eros.services.routing`.
"""

from __future__ import annotations

from eros.services.routing import FeatureFlags, Pipeline, PipelineRouter, RoutingDecision

__all__ = ["FeatureFlags", "Pipeline", "PipelineRouter", "RoutingDecision"]
