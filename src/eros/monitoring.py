"""The runbook's `eros.monitoring`: `PipelineMonitor()` over the configured database (runbook §2, §8).

The SLO windows and triggers are pure (`eros.control`); recording and reading runs is the
monitor service (`eros.services.monitor`).
"""

from __future__ import annotations

from eros.control.slo import HealthStatus, SLOConfig
from eros.services.monitor import PipelineMonitor

__all__ = ["HealthStatus", "PipelineMonitor", "SLOConfig"]
