"""The runbook's `eros.rollback`: `RollbackController()` over the configured database (runbook §5, §7)."""

from __future__ import annotations

from eros.services.rollback import RESTORE_CONFIRMATION, RollbackController, RollbackResult, RollbackState

__all__ = ["RESTORE_CONFIRMATION", "RollbackController", "RollbackResult", "RollbackState"]
