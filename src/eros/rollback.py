"""The runbook's `eros.rollback`: `RollbackController()` over the configured database (runbook §5, §7)."""

from __future__ import annotations

from eros import bootstrap
from eros.control.flags import RollbackState
from eros.services import rollback
from eros.services.monitor import PipelineMonitor
from eros.services.rollback import RESTORE_CONFIRMATION, RollbackResult

__all__ = ["RESTORE_CONFIRMATION", "RollbackController", "RollbackResult", "RollbackState"]


def RollbackController(*, monitor: PipelineMonitor | None = None) -> rollback.RollbackController:
    """The runbook's `RollbackController()` (or `RollbackController(monitor=PipelineMonitor())`)."""
    return bootstrap.rollback_controller(bootstrap.bootstrap(), monitor=monitor)
