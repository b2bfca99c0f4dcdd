"""The runbook's `eros.router`: feature flags and the pipeline router (seed 000, runbook §2, §5).

`FeatureFlags()` and `PipelineRouter()` read the configured installation, wired by
`eros.bootstrap`; the flag and routing rules are `eros.control.flags` and
`eros.control.routing`, the routing use case `eros.services.routing`.
"""

from __future__ import annotations

from eros import bootstrap
from eros.control import flags
from eros.control.routing import Pipeline, RoutingDecision
from eros.services import routing

__all__ = ["FeatureFlags", "Pipeline", "PipelineRouter", "RoutingDecision"]


def FeatureFlags() -> flags.FeatureFlags:
    """The runbook's `FeatureFlags()`: the flags as the configured installation resolves them now."""
    return bootstrap.feature_flags(bootstrap.bootstrap())


def PipelineRouter() -> routing.PipelineRouter:
    """The runbook's `PipelineRouter()`: routing over the configured database and pipelines."""
    return bootstrap.pipeline_router(bootstrap.bootstrap())
