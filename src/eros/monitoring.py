"""The runbook's `eros.monitoring`: `PipelineMonitor()` over the configured database (runbook §2, §8).

The SLO windows and triggers are pure (`eros.control.windows`, `eros.control.slo`); recording
and reading runs is the monitor service (`eros.services.monitor`), wired by `eros.bootstrap`.
"""

from __future__ import annotations

from eros import bootstrap
from eros.control.slo import HealthStatus, SLOConfig
from eros.services import monitor

__all__ = ["HealthStatus", "PipelineMonitor", "SLOConfig"]


def PipelineMonitor() -> monitor.PipelineMonitor:
    """The runbook's `PipelineMonitor()`: runs, SLOs and alerts of the configured installation."""
    return bootstrap.pipeline_monitor(bootstrap.bootstrap())
