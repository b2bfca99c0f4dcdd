"""The periodic check (alerts, LEARNINGS.md, automatic rollback): `eros check`, `eros watch` and
the workers' every-minute task run this one use case, so the three can never disagree."""

from __future__ import annotations

from eros.services.monitor import PipelineMonitor
from eros.services.reflect import LearningLoop
from eros.services.rollback import RollbackController, RollbackResult


async def periodic_check(
    monitor: PipelineMonitor, learning: LearningLoop, rollback: RollbackController
) -> tuple[list[str], RollbackResult | None]:
    """The alert codes raised now, and the automatic rollback if one fired (`rollback` reads the
    same `monitor`)."""
    raised = [alert.code for alert in await monitor.evaluate_alerts()]
    learnings_alert = await learning.check_file(monitor.alerts)
    if learnings_alert is not None:
        raised.append(learnings_alert.code)
    return raised, await rollback.check_auto_rollback()
